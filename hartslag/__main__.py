# SPDX-License-Identifier: EUPL-1.2
"""``python -m hartslag``: the same as the ``hartslag`` command."""

from hartslag.cli import main

main()
