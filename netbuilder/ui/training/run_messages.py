"""The sentences the Training panel says about a run: why the editor cannot start it, and how it ended.

The session's own message already says what happened and what to try; these
only frame it (a refusal, a failure, a completion) and add the training health
warnings the user must not miss, in the message area and in the status line.
"""

from __future__ import annotations

from pathlib import Path

from netbuilder.training.events import RunFinished

FINISHED_TONE = {"completed": "good", "stopped": "info", "nan": "error", "failed": "error", "refused": "error"}


def multi_worker_refusal(project_path: Path | None) -> str:
    """Why Train refuses the multi-worker strategy, and the command that runs it instead."""
    project = project_path.name if project_path is not None else "PROJECT.nbproj"
    first = "" if project_path is not None else "save the project, then "
    return ("The multi-worker strategy trains in processes of its own and cannot start inside the editor: "
            f"{first}run `netbuilder train {project} --strategy multi-worker --local-workers 2 --out RUN_DIR` "
            "in a terminal to try it on this machine, or start it on every worker of the TF_CONFIG cluster.")


def finished_text(event: RunFinished) -> str:
    """The session's own sentence, which already says what happened and what to try."""
    message = event.message if not event.message or event.message.endswith(".") else event.message + "."
    if event.status == "refused":
        return f"Training did not start: {message}"
    if event.status == "failed":
        return message if message.startswith("Training failed") else f"Training failed: {message}"
    return f"✓ {message}" if event.status == "completed" else message


def finished_message(event: RunFinished, warnings: list[str]) -> tuple[str, str, str]:
    """The message area's text and tone, and the status bar's line, once `event` ended a run.

    A run that trained keeps its health `warnings` in both: the sentence the user looks at must not lose them.
    """
    text = finished_text(event)
    tone = FINISHED_TONE.get(event.status, "info")
    if warnings and event.run_dir is not None:
        text, tone = "\n".join([text, *(f"⚠ {w}" for w in warnings)]), "error"
    line = f"Training completed: {event.message}" if event.status == "completed" else text.split("\n")[0]
    if warnings and event.run_dir is not None:
        count = len(warnings)
        line += f" ⚠ {count} training health warning{'s' if count > 1 else ''}: see the Health tab."
    return text, tone, line
