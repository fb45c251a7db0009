"""Sign-in security: lockout, per-IP limit, second factor, forced password change, session ends."""

import time

import pytest
from django.contrib.sessions.models import Session
from django.core.cache import cache
from django.test import Client, override_settings
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from cms.accounts.middleware import SESSION_STARTED_KEY
from cms.accounts.models import UserSession
from cms.accounts.roles import Role
from tests.factories import PASSWORD, make_user

LOGIN = "/"


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()


def _login(client: Client, username: str, password: str = PASSWORD, **extra):
    return client.post(LOGIN, {"username": username, "password": password}, **extra)


def _code(device: TOTPDevice, offset: int = 0) -> str:
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=offset):06d}"


def test_start_page_is_the_login_block(client):
    response = client.get(LOGIN)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'name="username"' in html and 'name="password"' in html
    assert "Вхід до е-кабінету" in html and '<html lang="uk">' in html


def test_school_director_signs_in_without_second_factor(world):
    client = Client()
    response = _login(client, "dir-a")
    assert response.status_code == 302 and response["Location"] == reverse("dashboard:home")
    assert client.get(reverse("dashboard:home")).status_code == 200


def test_wrong_password_gives_a_clear_ukrainian_message(world):
    response = _login(Client(), "dir-a", "not-the-password")
    assert response.status_code == 200
    assert "Неправильний логін або пароль" in response.content.decode()


@override_settings(AXES_FAILURE_LIMIT=3)
def test_account_is_locked_after_repeated_failures(world):
    client = Client()
    for _ in range(2):
        assert _login(client, "dir-a", "wrong-password-123").status_code == 200
    locked = _login(client, "dir-a", "wrong-password-123")
    assert locked.status_code == 429
    assert "Забагато невдалих спроб" in locked.content.decode()
    # even the right password is refused while the lock lasts, from any address
    right = _login(Client(), "dir-a", REMOTE_ADDR="10.0.0.9")
    assert right.status_code == 429
    # other accounts are not affected
    assert _login(Client(), "dir-b").status_code == 302


@override_settings(LOGIN_IP_RATE="4/10m")
def test_one_address_guessing_many_accounts_is_slowed_down(world):
    client = Client(REMOTE_ADDR="192.0.2.7")
    for username in ["dir-a", "dir-b", "dir-c", "ruo-a"]:
        assert _login(client, username, "wrong-password-123").status_code == 200
    blocked = _login(client, "dir-a")
    assert blocked.status_code == 429
    assert "мережевої адреси" in blocked.content.decode()
    # another address signs in normally
    assert _login(Client(REMOTE_ADDR="192.0.2.8"), "dir-b").status_code == 302


def test_successful_sign_ins_do_not_count_against_the_address(world):
    with override_settings(LOGIN_IP_RATE="2/10m"):
        for username in ["dir-a", "dir-b", "dir-c"]:
            assert _login(Client(REMOTE_ADDR="192.0.2.9"), username).status_code == 302


@override_settings(OTP_TOTP_THROTTLE_FACTOR=0)
def test_department_user_must_enrol_a_second_factor(world):
    client = Client()
    response = _login(client, "don-editor")
    assert response["Location"] == reverse("accounts:two_factor")
    # every other page holds the user at the second-factor step
    assert client.get(reverse("dashboard:home"))["Location"] == reverse("accounts:two_factor")
    api = client.get(reverse("api:me"))
    assert api.status_code == 403 and api.json()["error"] == "sign_in_incomplete"
    page = client.get(reverse("accounts:two_factor"))
    assert "data:image/svg+xml;base64," in page.content.decode()
    device = TOTPDevice.objects.get(user=world.users["don"], confirmed=False)
    wrong = client.post(reverse("accounts:two_factor"), {"token": "000000"})
    assert "Код неправильний" in wrong.content.decode()
    device.refresh_from_db()
    done = client.post(reverse("accounts:two_factor"), {"token": _code(device)})
    assert done["Location"] == reverse("dashboard:home")
    device.refresh_from_db()
    assert device.confirmed
    assert client.get(reverse("dashboard:home")).status_code == 200


@override_settings(OTP_TOTP_THROTTLE_FACTOR=0)
def test_enrolled_user_verifies_a_code_at_each_sign_in(world):
    user = world.users["own_ruo"]
    device = TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    client = Client()
    assert _login(client, "ruo-a")["Location"] == reverse("accounts:two_factor")
    page = client.get(reverse("accounts:two_factor")).content.decode()
    assert "data:image" not in page  # no new enrolment once a device exists
    assert client.post(reverse("accounts:two_factor"), {"token": "12ab56"}).status_code == 200
    assert client.post(reverse("accounts:two_factor"), {"token": _code(device)}).status_code == 302
    assert client.get(reverse("dashboard:home")).status_code == 200


def test_second_factor_codes_are_throttled(world):
    user = world.users["own_ruo"]
    device = TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    client = Client()
    _login(client, "ruo-a")
    for _ in range(3):
        client.post(reverse("accounts:two_factor"), {"token": "000000"})
    # after failures, even the right code is refused until the throttle delay passes, and the user is told to wait
    refused = client.post(reverse("accounts:two_factor"), {"token": _code(device)})
    assert refused.status_code == 200 and "Забагато неправильних кодів" in refused.content.decode()
    assert client.get(reverse("dashboard:home"))["Location"] == reverse("accounts:two_factor")


def test_school_may_enable_second_factor_voluntarily(world):
    user = world.users["school_a"]
    device = TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    client = Client()
    assert _login(client, "dir-a")["Location"] == reverse("accounts:two_factor")
    assert client.post(reverse("accounts:two_factor"), {"token": _code(device)}).status_code == 302


def test_issued_password_must_be_changed_at_first_sign_in(world):
    user = world.users["school_a"]
    user.must_change_password = True
    user.save()
    client = Client()
    assert _login(client, "dir-a")["Location"] == reverse("accounts:password_change")
    assert client.get(reverse("org:my_school"))["Location"] == reverse("accounts:password_change")
    same = client.post(
        reverse("accounts:password_change"),
        {"old_password": PASSWORD, "new_password1": PASSWORD, "new_password2": PASSWORD},
    )
    assert "має відрізнятися" in same.content.decode()
    short = client.post(
        reverse("accounts:password_change"),
        {"old_password": PASSWORD, "new_password1": "Коротк1!", "new_password2": "Коротк1!"},
    )
    assert short.status_code == 200 and "12" in short.content.decode()
    common = client.post(
        reverse("accounts:password_change"),
        {"old_password": PASSWORD, "new_password1": "password1234", "new_password2": "password1234"},
    )
    assert common.status_code == 200
    new = "Зелений-каштан-2026"
    done = client.post(
        reverse("accounts:password_change"), {"old_password": PASSWORD, "new_password1": new, "new_password2": new}
    )
    assert done["Location"] == reverse("dashboard:home")
    user.refresh_from_db()
    assert not user.must_change_password and user.check_password(new)
    # the session survives the password change and is still known as the user's
    assert client.get(reverse("dashboard:home")).status_code == 200
    assert UserSession.objects.filter(user=user, session_key=client.session.session_key).exists()


def test_logout_ends_the_session_on_the_server(world):
    client = Client()
    _login(client, "dir-a")
    cookie = client.cookies["sessionid"].value
    assert Session.objects.filter(session_key=cookie).exists()
    assert client.get(reverse("accounts:logout")).status_code == 405  # sign-out is POST only
    client.post(reverse("accounts:logout"))
    assert not Session.objects.filter(session_key=cookie).exists()
    replay = Client()
    replay.cookies["sessionid"] = cookie
    assert replay.get(reverse("dashboard:home"))["Location"].startswith(reverse("accounts:login"))


def test_disabling_a_user_ends_all_their_sessions_at_once(world):
    laptop, phone = Client(), Client()
    _login(laptop, "dir-a")
    _login(phone, "dir-a")
    assert UserSession.objects.filter(user=world.users["school_a"]).count() == 2
    user = world.users["school_a"]
    user.is_active = False
    user.save()
    assert UserSession.objects.filter(user=user).count() == 0
    for client in (laptop, phone):
        key = client.cookies["sessionid"].value
        assert not Session.objects.filter(session_key=key).exists()
        assert client.get(reverse("dashboard:home")).status_code == 302


def test_session_has_an_absolute_lifetime(world, settings):
    client = Client()
    _login(client, "dir-a")
    session = client.session
    session[SESSION_STARTED_KEY] = time.time() - settings.SESSION_ABSOLUTE_LIFETIME - 1
    session.save()
    assert client.get(reverse("dashboard:home"))["Location"].startswith(reverse("accounts:login"))


def test_session_idle_timeout_is_renewed_on_activity(settings):
    assert settings.SESSION_COOKIE_AGE == 30 * 60
    assert settings.SESSION_SAVE_EVERY_REQUEST is True
    assert settings.SESSION_ABSOLUTE_LIFETIME > settings.SESSION_COOKIE_AGE


def test_passwords_are_hashed_with_argon2(world):
    from django.contrib.auth.hashers import make_password

    encoded = make_password("Зелений-каштан-2026", hasher="argon2")
    assert encoded.startswith("argon2$argon2id$v=19$m=47104,t=1,p=1$")


@pytest.mark.parametrize("role", [Role.DON_EDITOR, Role.DON_ADMIN, Role.DON_ANALYST, Role.RUO_STAFF, Role.SITE_ADMIN])
def test_two_factor_is_required_for_department_district_and_admin_roles(db, role, settings):
    assert role in settings.TWO_FACTOR_REQUIRED_ROLES


def test_two_factor_is_optional_for_schools(settings):
    assert Role.SCHOOL_DIRECTOR not in settings.TWO_FACTOR_REQUIRED_ROLES
    assert Role.SCHOOL_DEPUTY not in settings.TWO_FACTOR_REQUIRED_ROLES


def test_sign_in_events_are_recorded(world):
    from axes.models import AccessFailureLog, AccessLog

    _login(Client(), "dir-a")
    _login(Client(), "dir-b", "wrong-password-123")
    assert AccessLog.objects.filter(username="dir-a").exists()
    assert AccessFailureLog.objects.filter(username="dir-b").exists()


def test_next_parameter_cannot_redirect_off_site(world):
    response = Client().post(LOGIN + "?next=https://evil.example/", {"username": "dir-a", "password": PASSWORD})
    assert response["Location"] == reverse("dashboard:home")


def test_make_user_helper_assigns_groups(db, world):
    director = make_user(Role.SCHOOL_DEPUTY, school=world.school_a)
    assert director.groups.filter(name="Заклади: заступники").exists()
