"""The rules of each question kind: a choice question's choices, a spot question's parts
to tap, and a branching conversation's turns and endings.

:func:`~.document.problems` calls these for each question, after the rules every
question shares.
"""

from .values import LANGS, LARGE, SLUG


def _choice_problems(c, where, q):
    """Pick the answer: at most one correct choice; once ready (strict, or the question in
    review or published) 2-4 choices and exactly one correct; each with text and feedback."""
    choices = q.get("choices") or []
    correct = sum(1 for ch in choices if ch.get("correct") is True)
    if correct > 1:
        c.found.append(f"{where}: more than one correct choice")
    ready = c.strict or q.get("status", "published") in ("review", "published")
    if ready and not 2 <= len(choices) <= 4:
        c.found.append(f"{where}: needs 2-4 choices")
    if ready and correct != 1:
        c.found.append(f"{where}: needs exactly one correct choice")
    for i, choice in enumerate(choices, 1):
        c.text(f"{where}/choice {i}/text", choice.get("text"))
        c.text(f"{where}/choice {i}/feedback", choice.get("feedback"))


def _spot_problems(c, where, q, flags):
    """Tap the red flags: 3-8 spots, each found once in the body of each language, not
    overlapping, at least two warning signs and one harmless part."""
    spots = q.get("spots") or []
    if not isinstance(spots, list) or not all(isinstance(s, dict) for s in spots):
        c.found.append(f"{where}: spots must be a list of objects")
        return
    if c.strict and not 3 <= len(spots) <= 8:
        c.found.append(f"{where}: needs 3-8 spots")
    if len(spots) > 8:
        c.found.append(f"{where}: at most 8 spots")
    signs = [s for s in spots if s.get("red_flag")]
    if c.strict and (len(signs) < 2 or len(signs) == len(spots)):
        c.found.append(f"{where}: needs >= 2 warning-sign spots and >= 1 harmless one")
    for i, spot in enumerate(spots, 1):
        # Words copied from the message: an address or a number is the same in both.
        words = spot.get("text")
        if not isinstance(words, dict) or set(words) != set(LANGS):
            c.found.append(f"{where}/spot {i}/text: needs exactly the keys {LANGS}")
        elif not all(isinstance(words[lang], str) and words[lang].strip() for lang in LANGS):
            c.found.append(f"{where}/spot {i}/text: empty in a language")
        c.text(f"{where}/spot {i}/explanation", spot.get("explanation"))
        if spot.get("red_flag") and spot["red_flag"] not in flags:
            c.found.append(f"{where}/spot {i}: unknown red flag")
        if spot.get("red_flag") and spot["red_flag"] not in (q.get("red_flags") or []):
            c.found.append(f"{where}/spot {i}: its red flag is not among the question's")
    for lang in LANGS:
        body = str((q.get("body") or {}).get(lang) or "")
        taken = []
        for i, spot in enumerate(spots, 1):
            words = str((spot.get("text") or {}).get(lang) or "")
            if not words:
                continue
            if body.count(words) != 1:
                c.found.append(
                    f"{where}/spot {i}: {lang} text must appear exactly once in the body"
                )
                continue
            start = body.index(words)
            if any(start < end and begin < start + len(words) for begin, end in taken):
                c.found.append(f"{where}/spot {i}: overlaps another spot in {lang}")
            taken.append((start, start + len(words)))


OUTCOMES = ("safe", "lost", "exposed")
MAX_TURNS_ON_A_PATH = 12


def _conversation_problems(c, where, q, flags):
    """A branching conversation: every turn reachable from the first, every path ends,
    no path longer than 12 turns, every ending with an outcome."""
    turns, endings = q.get("turns") or [], q.get("endings") or []
    if not isinstance(turns, list) or not isinstance(endings, list):
        c.found.append(f"{where}: turns and endings must be lists")
        return
    if not all(isinstance(t, dict) for t in turns + endings):
        c.found.append(f"{where}: turns and endings must be lists of objects")
        return
    if not turns or not endings:
        c.found.append(f"{where}: needs turns and endings")
        return
    keys = [str(item.get("key", "")) for item in turns + endings]
    if len(set(keys)) != len(keys) or not all(SLUG.match(k) for k in keys):
        c.found.append(f"{where}: turn and ending keys must be unique slugs")
        return
    turn_keys = {t["key"] for t in turns}
    graph = {}
    for turn in turns:
        twhere = f"{where}/turn {turn['key']}"
        c.text(f"{twhere}/says", turn.get("says"))
        c.text(f"{twhere}/note", turn.get("note"), required=False)
        if turn.get("tactic") and turn["tactic"] not in flags:
            c.found.append(f"{twhere}: unknown tactic")
        replies = turn.get("replies") or []
        if not isinstance(replies, list) or not all(isinstance(r, dict) for r in replies):
            c.found.append(f"{twhere}: replies must be a list of objects")
            return
        if not 2 <= len(replies) <= 3:
            c.found.append(f"{twhere}: needs 2-3 replies")
        for i, reply in enumerate(replies, 1):
            c.text(f"{twhere}/reply {i}", reply.get("text"))
            if reply.get("next") not in keys:
                c.found.append(f"{twhere}/reply {i}: next must be a turn's or an ending's key")
                return
        graph[turn["key"]] = [r["next"] for r in replies]
    for ending in endings:
        ewhere = f"{where}/ending {ending['key']}"
        c.text(f"{ewhere}/text", ending.get("text"))
        if ending.get("outcome") not in OUTCOMES:
            c.found.append(f"{ewhere}: outcome must be one of {OUTCOMES}")
        loss = ending.get("loss")
        if loss is not None and not (type(loss) is int and 0 <= loss <= LARGE):
            c.found.append(f"{ewhere}: loss must be a whole number of yuan")
    # Walk every path from the first turn: a turn met again on the same path is a loop.
    reached, longest, stack = set(), 0, [(turns[0]["key"], (turns[0]["key"],))]
    while stack:
        key, path = stack.pop()
        reached.add(key)
        if key not in turn_keys:
            continue
        longest = max(longest, len(path))
        if len(path) > MAX_TURNS_ON_A_PATH:
            c.found.append(f"{where}: a path is longer than {MAX_TURNS_ON_A_PATH} turns")
            return
        for target in graph[key]:
            if target in path:
                c.found.append(f"{where}: a path goes round in a loop at {target}")
                return
            stack.append((target, (*path, target)))
    unreached = [k for k in keys if k not in reached]
    if unreached:
        c.found.append(f"{where}: not reachable from the first turn: {', '.join(unreached)}")
