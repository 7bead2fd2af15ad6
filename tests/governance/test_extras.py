# SPDX-License-Identifier: EUPL-1.2
from __future__ import annotations

import pytest

from governance.errors import MissingExtraError
from governance.extras import require_extra


def test_missing_extra_names_the_install_command() -> None:
    with pytest.raises(MissingExtraError) as caught:
        require_extra("hub", "json", "surely_not_installed_module_xyz")
    assert "pip install 'hartslag[hub]'" in caught.value.message
    assert caught.value.code == "missing-extra"


def test_present_modules_pass() -> None:
    require_extra("hub", "json")
