import pytest
from conftest import answer_message


@pytest.mark.parametrize(
    ("text", "secret", "placeholder"),
    [
        ("Please reply to sarah.jones@example.com", "sarah.jones@example.com", "<EMAIL_ADDRESS>"),
        ("Call me on 07911 123456 after 5", "07911 123456", "<PHONE_NUMBER>"),
        ("I paid with 4111 1111 1111 1111", "4111 1111 1111 1111", "<CREDIT_CARD>"),
        ("Hi, my name is Sarah Jones and my tent leaks", "Sarah Jones", "<PERSON>"),
    ],
)
def test_pii_is_replaced(redactor, text, secret, placeholder):
    result = redactor.redact(text)
    assert secret not in result.text
    assert placeholder in result.text
    assert placeholder.strip("<>") in result.entities


def test_order_numbers_survive_redaction(redactor):
    result = redactor.redact("Where is order NW-10023457?")
    assert result.text == "Where is order NW-10023457?"
    assert result.entities == ()


def test_text_without_pii_is_unchanged(redactor):
    text = "Do you ship tents to Ireland?"
    assert redactor.redact(text).text == text


def test_pii_never_reaches_the_provider(make_client, fakes, chat_body):
    fakes.openai.completions.script = [answer_message()]
    message = "I'm Sarah Jones (sarah.jones@example.com, 07911 123456). How do I return my tent?"
    with make_client() as client:
        body = client.post("/v1/chat", json={**chat_body, "message": message}).json()
    assert body["status"] == "answered"
    sent = fakes.openai.sent_text()
    for secret in ("sarah.jones@example.com", "07911 123456", "Sarah Jones"):
        assert secret not in sent
    assert "<EMAIL_ADDRESS>" in sent
    assert fakes.retriever.queries == [fakes.openai.moderations.inputs[0]]
