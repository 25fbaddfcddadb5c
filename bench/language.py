"""Language understanding on the corpus's held-out split (bot/domain/language/corpus; never trained or tuned
on), in one process, no network.

    python -m bench.language            # held-out rows
    python -m bench.language --split train
    python -m bench.language --split unseen   # bench/language_unseen.tsv: another writer's messages

Prints recall and precision per intent and language, then the figures the bot is judged by:
  * own-photo recall: the sender asks about their own photo → a photo intent about "self";
  * someone-else recall: about another person (named or not, the manager, several) → a photo intent about
    "other" (never the sender's own card); and how often the person is named exactly as the corpus says;
  * false alarms: messages that are not photo questions (near-misses, chat, commands) taken as one;
  * Dutch answered in Dutch: Dutch rows whose reply language is Dutch when Teams' locale is English (the
    bot answers in the message's language when it can tell, else the locale).
"""

from __future__ import annotations

import argparse
from collections import Counter
from pathlib import Path

from bot.domain.intents import PHOTO_KINDS, Intent, IntentKind, _classify
from bot.domain.language.corpus import Row, held_out, parse, rows


def _pct(hit: int, total: int) -> str:
    return f"{100 * hit / total:5.1f}% ({hit}/{total})" if total else "   n/a"


def evaluate(sample: list[Row]) -> dict[str, tuple[int, int]]:
    """The headline figures as (hits, total)."""
    results = [(row, _classify(row.text)) for row in sample]
    own = [(r, i) for r, i in results if r.about == "self"]
    other = [(r, i) for r, i in results if r.about == "other"]
    named = [(r, i) for r, i in other if not r.subject.startswith("<") and r.subject != "-"]
    unrelated = [(r, i) for r, i in results if r.intent not in {k.value for k in PHOTO_KINDS}]
    dutch = [(r, i) for r, i in results if r.language == "nl"]
    return {
        "own": (sum(i.kind in PHOTO_KINDS and i.about == "self" for _, i in own), len(own)),
        "other": (sum(i.kind in PHOTO_KINDS and i.about == "other" for _, i in other), len(other)),
        "named": (sum(i.subject == r.subject for r, i in named), len(named)),
        "false_alarm": (sum(i.kind in PHOTO_KINDS for _, i in unrelated), len(unrelated)),
        "near_miss_alarm": (
            sum(i.kind in PHOTO_KINDS for r, i in unrelated if r.intent == "unknown"),
            sum(r.intent == "unknown" for r, _ in unrelated),
        ),
        "dutch": (sum(i.language == "nl" for _, i in dutch), len(dutch)),
        "dutch_photo": (
            sum(i.language == "nl" for r, i in dutch if r.about != "-"),
            sum(r.about != "-" for r, _ in dutch),
        ),
    }


def report(sample: list[Row], *, show_errors: bool = False) -> None:
    results: list[tuple[Row, Intent]] = [(row, _classify(row.text)) for row in sample]
    print(f"{len(sample)} rows")
    print(f"{'intent':16} {'lang':4} {'recall':>18} {'precision':>18}")
    for kind in IntentKind:
        for lang in ("en", "nl", "-", "all"):
            rel = [(r, i) for r, i in results if lang in ("all", r.language)]
            truth = [i for r, i in rel if r.intent == kind.value]
            predicted = [r for r, i in rel if i.kind is kind]
            if not truth and not predicted:
                continue
            hits = sum(i.kind is kind for i in truth)
            correct = sum(r.intent == kind.value for r in predicted)
            print(
                f"{kind.value:16} {lang:4} {_pct(hits, len(truth)):>18} {_pct(correct, len(predicted)):>18}"
            )
    figures = evaluate(sample)
    print()
    print(f"own-photo recall          {_pct(*figures['own'])}")
    print(f"someone-else recall       {_pct(*figures['other'])}")
    print(f"  person named exactly    {_pct(*figures['named'])}")
    print(f"false alarms (not photo)  {_pct(*figures['false_alarm'])}")
    print(f"  of them near-misses     {_pct(*figures['near_miss_alarm'])}")
    print(f"Dutch answered in Dutch   {_pct(*figures['dutch'])}")
    print(f"  Dutch photo questions   {_pct(*figures['dutch_photo'])}")
    languages = Counter((r.language, i.language) for r, i in results)
    print("language (corpus → detected):", dict(sorted(languages.items(), key=str)))
    if show_errors:
        print()
        for r, i in results:
            wrong_about = r.about != "-" and i.about != r.about
            if i.kind.value != r.intent or wrong_about or (r.language == "nl" and i.language != "nl"):
                print(
                    f"  {r.text!r}: {r.intent}/{r.about}/{r.language} → {i.kind.value}/{i.about}/{i.language}"
                )


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.language", description=__doc__)
    parser.add_argument("--split", choices=("held-out", "train", "unseen"), default="held-out")
    parser.add_argument("--errors", action="store_true", help="list the rows the model gets wrong")
    args = parser.parse_args()
    if args.split == "unseen":
        report(unseen(), show_errors=args.errors)
        return
    want_held_out = args.split == "held-out"
    report([row for row in rows() if held_out(row.text) == want_held_out], show_errors=args.errors)


UNSEEN = Path(__file__).with_name("language_unseen.tsv")


def unseen() -> list[Row]:
    """The unseen sets: written as months of traffic by writers who saw neither the corpus nor the model; never
    trained or tuned on (adding their rows to the corpus would make them one more held-out split)."""
    return list(parse(UNSEEN.read_text(encoding="utf-8"), UNSEEN.name))


if __name__ == "__main__":
    main()
