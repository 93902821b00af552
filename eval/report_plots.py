"""`abstention.png`: answerable-kept and unanswerable-rejected rates against the similarity
threshold, with the data-chosen and the engine's thresholds marked (matplotlib, imported lazily)."""

from __future__ import annotations

from pathlib import Path
from typing import Any


def plot_abstention(report: dict[str, Any], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    ab = report["abstention"]
    xs = [p["threshold"] for p in ab["curve"]]
    fig, ax = plt.subplots(figsize=(7.5, 4.5), dpi=120)
    ax.plot(
        xs, [p["kept"] for p in ab["curve"]], label=f"answerable kept (n={ab['negatives']})", color="tab:blue"
    )
    ax.plot(
        xs,
        [p["rejected"] for p in ab["curve"]],
        label=f"unanswerable rejected (n={ab['positives']})",
        color="tab:red",
    )
    ax.plot(
        xs, [p["balanced_accuracy"] for p in ab["curve"]], label="balanced accuracy", color="grey", ls=":"
    )
    chosen, current = ab["chosen"]["threshold"], ab["engine"]["threshold"]
    ax.axvline(chosen, color="tab:green", ls="--", label=f"best balanced accuracy ({chosen:.2f})")
    ax.axvline(current, color="black", ls="-.", label=f"engine threshold ({current:.2f})")
    ax.set(
        xlabel=f'threshold on signals["confidence"] ({ab.get("signal", "similarity")})',
        ylabel="rate",
        ylim=(-0.02, 1.02),
        title="Abstention: answerable kept vs unanswerable rejected",
    )
    ax.grid(alpha=0.3)
    ax.legend(loc="lower left", bbox_to_anchor=(0.0, 0.08), fontsize=8)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
