def test_a_missing_template_parameter_is_a_typed_refusal() -> None:
    import pytest

    from yagona.kernel.errors import InvalidRequestError
    from yagona.notify import rules

    with pytest.raises(InvalidRequestError, match="minutes"):
        rules.render("identity.otp", "uz", {"code": "123456"})
