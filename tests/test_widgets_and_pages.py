"""Small pieces of every page: the long <select> and the page for a form-only address."""

from __future__ import annotations

import re

import pytest
from django import forms
from django.urls import reverse

from traceability.consultations.widgets import LongSelect

from .factories import file_submission

CHOICES = [("", "Any <one>"), ('x"y', "X & Y <b>"), ("Group", [("1", "one"), ("2", "two")]), ("3", "three")]


class Pair(forms.Form):
    plain = forms.ChoiceField(choices=CHOICES, required=False)
    long = forms.ChoiceField(choices=CHOICES, required=False, widget=LongSelect)


def normalised(html: str, name: str) -> str:
    return re.sub(r">\s+<", "><", str(html)).strip().replace(f'name="{name}" id="id_{name}"', "")


@pytest.mark.parametrize("data", [None, {"plain": "2", "long": "2"}, {"plain": 'x"y', "long": 'x"y'}])
def test_a_long_select_writes_what_djangos_select_writes(data):
    form = Pair(data)
    assert normalised(form["long"], "long") == normalised(form["plain"], "plain")


def test_a_long_select_escapes_values_and_labels():
    html = str(Pair()["long"])
    assert 'value="x&quot;y"' in html and "X &amp; Y &lt;b&gt;" in html and "Any &lt;one&gt;" in html
    assert "<b>" not in html


def test_opening_a_form_only_address_explains_and_links_back(db, anon_client, process, stakeholder):
    submission = file_submission(process, stakeholder)
    response = anon_client.get(reverse("reports:submission-verify", args=[process.slug, submission.reference]))
    assert response.status_code == 405 and response["Allow"] == "POST"
    page = response.content.decode()
    assert "Nothing was saved" in page and f'href="{process.get_absolute_url()}"' in page


def test_the_405_page_leaves_a_post_to_a_page_that_only_shows_alone(db, anon_client):
    # Only a visit (GET/HEAD) to a form's address is explained; a form sent to a page is Django's 405, empty.
    response = anon_client.post(reverse("consultations:process-list"))
    assert response.status_code == 405 and response.content == b""
