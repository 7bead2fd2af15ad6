# SPDX-License-Identifier: EUPL-1.2
"""How the registry's CLI shows a review and a diff to people (rich); machine output is the ``as_dict`` JSON."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rich.console import Console
from rich.markup import escape
from rich.table import Table

if TYPE_CHECKING:
    from governance.registry_voting import Review

__all__ = ["print_diff", "print_review"]


def _changes_table(changes: list[dict[str, Any]]) -> Table:
    table = Table("", "wijziging", "waar (JSON pointer)", "omschrijving", show_edge=False)
    for change in changes:
        mark = "[red]✗ breekt[/]" if change["breaking"] else "[green]✓[/]"
        table.add_row(mark, change["type"], escape(change["pointer"] or "/"), escape(change["description"]))
    return table


def print_review(out: Console, review: Review) -> None:
    """A version under review: the facts, the compatibility report per published version, the votes, the quorum."""
    record = review.version
    out.print(
        f"[bold]{escape(record.subject)} {record.version}[/]: {record.status.value}, {record.change.value} change, "
        f"sha256 {record.sha256[:16]}…, proposed by {escape(record.proposed_by)} at {record.created_at}"
    )
    out.print(f"rationale: {escape(record.rationale)}", soft_wrap=True)
    if not record.compat:
        out.print("compatibility: no published version to compare with")
    for report in record.compat:
        verdict = "[green]compatible[/]" if report["compatible"] else "[red]NOT compatible[/]"
        out.print(f"{report['level']} against {', '.join(report['old_versions'])}: {verdict}")
        if report["changes"]:
            out.print(_changes_table(report["changes"]))
    votes = Table("lid", "besluit", "reden", "geldig", "tijd (UTC)")
    for vote, valid in review.votes:
        votes.add_row(
            escape(vote.member), vote.decision.value, escape(vote.reason), "ja" if valid else "nee (oud)", vote.at
        )
    if review.votes:
        out.print(votes)
    else:
        out.print("no votes yet")
    rule = review.rule
    kinds = f", incl. {', '.join(rule.require_kinds)}" if rule.require_kinds else ""
    limit = f", at most {rule.max_rejections} rejection(s)" if rule.max_rejections is not None else ""
    summary = f"{record.change.value} rule: {rule.approvals} of the members{kinds}{limit}"
    out.print(f"quorum ({summary}): {escape(review.quorum.why)}")


def print_diff(out: Console, result: dict[str, Any]) -> None:
    """Every change from one version to another, breaking ones marked."""
    verdict = "[green]compatible[/]" if result["compatible"] else "[red]NOT compatible[/]"
    versions = f"{result['old']} → {result['new']} ({result['level']})"
    out.print(f"[bold]{escape(result['subject'])}[/] {versions}: {verdict}")
    if result["changes"]:
        out.print(_changes_table(result["changes"]))
    else:
        out.print("no changes")
