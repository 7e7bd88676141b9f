"""End to end in Chromium: register, get verified in the CMS admin, invite, accept."""

import re

import pytest
from django.core import mail

from accounts.services import user_two_factor_enrol
from associations.models import Association, Membership
from tests.associations.factories import pdf_file
from tests.factories import DEFAULT_PASSWORD, StaffFactory, UserFactory, totp_code

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def site_login(page, email):
    page.goto("/accounts/login/")
    page.fill("input[name=login]", email)
    page.fill("input[name=password]", DEFAULT_PASSWORD)
    page.locator("form.form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/compte/$"))


def site_logout(page):
    page.locator(".account-menu form button[type=submit]").click()
    page.wait_for_load_state()
    page.context.clear_cookies()


def test_register_verify_invite_accept(browser_page, live_server, artifacts_dir, tmp_path):
    owner = UserFactory(email="claire@example.org", display_name="Claire")
    invited = UserFactory(email="yacine@example.org", display_name="Yacine")
    staff = StaffFactory(email="equipe@example.org")
    staff_secret = user_two_factor_enrol(user=staff).secret
    statutes = tmp_path / "statuts.pdf"
    statutes.write_bytes(pdf_file().read())
    page = browser_page

    # 1. Claire registers her association through the form.
    site_login(page, owner.email)
    page.goto("/associations/inscription/")
    page.fill("input[name=name]", "Tremplin LinkedIn Lyon")
    page.fill("input[name=rna_number]", "W691234567")
    page.fill("input[name=address]", "12 rue Sainte-Catherine")
    page.fill("input[name=postcode]", "69001")
    page.fill("input[name=commune]", "Lyon")
    page.fill("input[name=contact_email]", "contact@tremplin.example.org")
    page.fill("textarea[name=purpose]", "Aider les demandeurs d'emploi à soigner leur profil.")
    page.set_input_files("input[name=statutes]", str(statutes))
    page.screenshot(path=str(artifacts_dir / "association-register.png"), full_page=True)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/associations/tremplin-linkedin-lyon/tableau-de-bord/$"))
    association = Association.objects.get()
    assert association.status == Association.Status.PENDING
    assert page.locator(".badge-warn").first.is_visible()
    site_logout(page)

    # 2. Staff verify it in the CMS admin, signing in through the site's login door
    # with their password and a code from their authenticator app.
    page.goto("/cms/login/")
    page.wait_for_url(re.compile(r"/accounts/login/\?next=%2Fcms%2F$"))
    page.fill("input[name=login]", "equipe@example.org")
    page.fill("input[name=password]", DEFAULT_PASSWORD)
    page.locator("form.form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/accounts/2fa/authenticate/$"))
    page.fill("input[name=code]", totp_code(staff_secret))
    page.locator("form.form button[type=submit]:not([form])").click()
    page.wait_for_url(re.compile(r"/cms/$"))
    page.goto("/cms/associations/")
    page.screenshot(path=str(artifacts_dir / "association-cms-list.png"), full_page=True)
    page.get_by_role("link", name="Tremplin LinkedIn Lyon").click()
    page.wait_for_url(re.compile(rf"/cms/associations/inspect/{association.pk}/$"))
    assert page.locator(f"a[href$='/documents/{association.documents.get().pk}/']").count() == 1
    page.screenshot(path=str(artifacts_dir / "association-cms-inspect.png"), full_page=True)
    page.locator(f"a[href='/cms/associations/verify/{association.pk}/']").click()
    page.wait_for_url(re.compile(rf"/cms/associations/verify/{association.pk}/$"))
    page.screenshot(path=str(artifacts_dir / "association-cms-verify.png"), full_page=True)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(re.compile(rf"/cms/associations/inspect/{association.pk}/$"))
    association.refresh_from_db()
    assert association.status == Association.Status.VERIFIED
    assert owner.email in [to for message in mail.outbox for to in message.to]
    page.context.clear_cookies()

    # 3. Claire invites Yacine as an admin.
    site_login(page, owner.email)
    page.goto(f"/associations/{association.slug}/tableau-de-bord/")
    invite = page.locator("form.invite-form")
    invite.locator("input[name=email]").fill(invited.email)
    invite.locator("select[name=role]").select_option("admin")
    invite.locator("button[type=submit]").click()
    page.wait_for_load_state()
    assert page.get_by_text(invited.email).first.is_visible()
    site_logout(page)

    # 4. Yacine follows the link from the email and accepts.
    invitation_mail = next(m for m in mail.outbox if m.to == [invited.email])
    link = re.search(r"https?://[^/\s]+(/associations/invitations/\S+/)", invitation_mail.body)
    assert link, invitation_mail.body
    page.goto(link.group(1))
    page.locator("main a.button").first.click()  # sign in, then back to the invitation
    page.fill("input[name=login]", invited.email)
    page.fill("input[name=password]", DEFAULT_PASSWORD)
    page.locator("form.form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/associations/invitations/"))
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(re.compile(rf"/associations/{association.slug}/tableau-de-bord/$"))

    # 5. He appears in the team.
    team = page.locator("table.team-table")
    assert team.get_by_text(invited.email).is_visible()
    assert Membership.objects.get(user=invited, association=association).role == "admin"
    page.screenshot(path=str(artifacts_dir / "association-dashboard.png"), full_page=True)
    page.goto(f"/associations/{association.slug}/")
    page.screenshot(path=str(artifacts_dir / "association-public.png"), full_page=True)
