from procure_site.text import counted


def test_it_agrees_the_noun_with_the_count() -> None:
    assert counted(0, "digest") == "0 digests"
    assert counted(1, "digest") == "1 digest"
    assert counted(2, "activity row") == "2 activity rows"
    assert counted(1, "person", "people") == "1 person"
    assert counted(3, "person", "people") == "3 people"
