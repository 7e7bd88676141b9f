import pytest

pytestmark = pytest.mark.django_db


def test_unknown_page_gets_the_site_404(client):
    response = client.get("/cette-page-n-existe-pas/")
    assert response.status_code == 404
    content = response.content.decode()
    assert "Page introuvable" in content
    assert 'role="search"' in content


def test_server_error_page_needs_no_context():
    from django.template.loader import render_to_string

    html = render_to_string("500.html")
    assert "Un incident est survenu" in html
