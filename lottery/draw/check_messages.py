"""The sentences of the in-browser draw check (static/js/verify_draw.js), translated.

The script reports codes with values; the result page hands it these sentences in
the reader's language, through `json_script`.
"""

from __future__ import annotations

from django.utils.translation import gettext as _


def draw_check_messages() -> dict[str, str]:
    return {
        "running": _("Downloading the files and recomputing the draw…"),
        "unsupported": _(
            "This browser cannot compute SHA-256 here (it needs a recent browser and a "
            "secure connection)."
        ),
        "error": _("The check could not run: %(detail)s"),
        "valid": _("Valid: everything checked in this browser matches what was published."),
        "invalid": _("Not valid: %(count)s mismatches, listed below."),
        "ok_commitment": _("The revealed seed matches the commitment published at opening."),
        "bad_commitment": _(
            "The revealed seed does not match the commitment published at opening."
        ),
        "ok_ledger": _(
            "The ledger's SHA-256 is the one published at the seal; it holds %(count)s "
            "tickets in number order, in the published format."
        ),
        "bad_ledger_hash": _(
            "The ledger's SHA-256 is %(actual)s, the hash published at the seal is %(published)s."
        ),
        "bad_ledger_count": _(
            "The ledger holds %(actual)s tickets, the record says %(published)s."
        ),
        "bad_ledger_shape": _(
            "The ledger is not in the published format or not in number order (record %(index)s)."
        ),
        "ok_beacon": _(
            "The public randomness is drand quicknet round %(round)s: the first round after "
            "the seal plus its %(margin)s s margin, and its randomness is SHA-256 of its "
            "signature."
        ),
        "bad_seal_time": _("The seal's time in seconds (%(unix)s) is not its time %(iso)s."),
        "bad_round_rule": _(
            "The seal named round %(named)s; the first round after the seal plus the "
            "%(margin)s s margin is %(rule)s."
        ),
        "bad_beacon_unused": _("Round %(round)s was named at the seal but not used."),
        "bad_beacon_round": _("The beacon is round %(round)s, the seal named round %(named)s."),
        "bad_beacon_chain": _("The beacon is not from drand quicknet (chain hash %(chain)s)."),
        "bad_beacon_randomness": _("The beacon's randomness is not SHA-256 of its signature."),
        "note_no_beacon": _(
            "No public randomness: the seed committed at opening and the ledger alone decided "
            "the winners. The platform, which knew the seed, could foresee them; only the "
            "commitment, published before the first sale, bound it."
        ),
        "ok_prizes": _("The prize list is the one bound at opening (same names, values, ranks)."),
        "bad_prizes": _("The prize list is not the one bound at opening."),
        "ok_chain": _(
            "The public chain of commitments holds together, and its entry no. %(position)s "
            "published this commitment and this prize list."
        ),
        "bad_chain_malformed": _("The public chain of commitments is not in its published format."),
        "bad_chain_broken": _(
            "The public chain of commitments is broken at entry %(position)s: it does not name "
            "the hash of the entry before it."
        ),
        "bad_chain_missing": _("The public chain of commitments has no entry for this lottery."),
        "bad_chain_commitment": _(
            "Entry no. %(position)s of the public chain published another commitment or prize "
            "list than this record."
        ),
        "ok_winners": _(
            "Recomputing the draw gives exactly the published winners (%(count)s) and "
            "unawarded prizes."
        ),
        "bad_winner": _(
            "Slot %(slot)s: the draw gives ticket %(want)s, the record publishes %(got)s."
        ),
        "bad_winners_count": _("The draw gives %(want)s winners, the record publishes %(got)s."),
        "bad_unawarded": _("The unawarded prizes are not the ones the draw gives."),
        "bad_algorithm": _("Unknown algorithm %(algorithm)s: this check knows assosolos-draw-v1."),
        "not_checked": _(
            "Not checked in the browser: the BLS signature of the drand beacon (browsers have "
            "no pairing cryptography). To check it, run verify_draw.py with the drand-verify "
            "library installed, or ask a drand relay for the same round and compare the signature."
        ),
    }
