def test_it_describes_the_service(anon_client):
    response = anon_client.get("/")

    assert response.status_code == 200
    assert response.json() == {
        "service": "proCure Backend",
        "version": "1.0.0",
        "docs_url": "/docs",
        "health_check": "/ping",
    }
