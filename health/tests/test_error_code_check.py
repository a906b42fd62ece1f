"""The root conftest's check on every error answer (error_code_problem) tells
a coded error from one without a code or with a code of another status."""

from django.http import HttpResponse, JsonResponse

from conftest import error_code_problem


def test_it_passes_an_error_with_a_code_of_its_status():
    response = JsonResponse({"detail": "Not found.", "code": "not_found"}, status=404)

    assert error_code_problem(response) is None


def test_it_flags_an_error_without_a_code():
    response = JsonResponse({"detail": "Not found."}, status=404)

    assert error_code_problem(response) == (
        "the error body has no known code: {'detail': 'Not found.'}"
    )


def test_it_flags_a_code_of_another_status():
    response = JsonResponse({"detail": "Nope.", "code": "not_found"}, status=403)

    assert error_code_problem(response) == "not_found comes with (404,), not 403"


def test_it_leaves_successes_and_pages_alone():
    assert error_code_problem(JsonResponse({"detail": "Fine."})) is None
    assert error_code_problem(HttpResponse("<p>Gone</p>", status=404)) is None
