import pytest

from url_visits.browsers import browser_name


@pytest.mark.parametrize(
    "value, name",
    [
        (None, "Chrome"),
        ("", "Chrome"),
        ("   ", "Chrome"),
        ("Chrome", "Chrome"),
        ("GOOGLE CHROME", "Chrome"),
        ("safari", "Safari"),
        ("Samsung  Internet", "Samsung Internet"),
        ("https://mail.example.com/inbox?q=salary", "Other"),
        ("Netscape", "Other"),
        (["Chrome"], "Other"),
        (True, "Other"),
    ],
)
def test_it_names_the_browser_from_the_allow_list(value, name):
    assert browser_name(value) == name
