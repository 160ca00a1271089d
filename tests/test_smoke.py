async def test_home_page_renders(client):
    response = await client.get("/")
    assert response.status_code == 200
    body = await response.get_data(as_text=True)
    assert "TravelGo" in body and "X-CSRF-Token" in body
