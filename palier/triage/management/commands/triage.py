"""`palier triage train | evaluate | suggest`: the learned triage from the command line."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from palier.triage.evaluation import evaluate, load_heldout


class Command(BaseCommand):
    help = "Train the triage on the desk's qualified tickets, measure it, or try it on a text."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        train = sub.add_parser("train", help="Retrain on qualified tickets and the cold-start set.")
        train.add_argument("--limit", type=int, default=None, help="Newest qualified tickets read.")
        evaluate_ = sub.add_parser("evaluate", help="Accuracy of the model on the held-out set.")
        evaluate_.add_argument(
            "--abstain", action="store_true", help="Count its silences below the threshold."
        )
        evaluate_.add_argument(
            "--set",
            choices=["heldout", "independent"],
            default="heldout",
            help="Which held-out set: ours, or the one written blind by another author.",
        )
        suggest = sub.add_parser("suggest", help="What the current model says of a request.")
        suggest.add_argument("subject")
        suggest.add_argument("body", nargs="?", default="")

    def handle(self, *args, action: str, **options):
        if action == "train":
            self._train(options["limit"])
        elif action == "evaluate":
            self._evaluate(options["abstain"], options["set"])
        elif action == "suggest":
            self._suggest(options["subject"], options["body"])
        else:  # pragma: no cover (argparse refuses it first)
            raise CommandError(f"Unknown action {action!r}")

    def _train(self, limit: int | None) -> None:
        from palier.triage.suggest import model_path
        from palier.triage.training import train_from_desk

        if limit is not None and limit < 0:
            raise CommandError("--limit must be 0 or more.")
        run = train_from_desk(limit=limit)
        self.stdout.write(
            f"Trained on {run.desk_tickets} qualified tickets and {run.coldstart} cold-start "
            f"requests in {run.seconds:.1f} s; written to {model_path()}."
        )

    def _evaluate(self, abstain: bool, name: str = "heldout") -> None:
        from palier.triage.suggest import current_model, min_confidence

        model = current_model()
        threshold = min_confidence() if abstain else 0.0

        def predict(subject: str, body: str) -> str:
            found = model.suggest(subject, body, threshold=threshold)
            return "" if found.abstained else found.type.value

        self.stdout.write(evaluate(predict, load_heldout(name)).markdown())

    def _suggest(self, subject: str, body: str) -> None:
        from palier.triage.suggest import suggest

        found = suggest(subject, body)
        verdict = "no suggestion (below the threshold)" if found.abstained else "suggested"
        self.stdout.write(f"type: {found.type.value} ({found.type.confidence:.0%}, {verdict})")
        if found.module:
            self.stdout.write(f"module: {found.module.value} ({found.module.confidence:.0%})")
        if found.criticality:
            self.stdout.write(
                f"criticality: {found.criticality.value} ({found.criticality.confidence:.0%})"
            )
        self.stdout.write("words: " + ", ".join(found.words))
