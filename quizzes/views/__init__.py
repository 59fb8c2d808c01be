"""Views, one file per area. Thin: rules live on the models, pages in templates/."""
