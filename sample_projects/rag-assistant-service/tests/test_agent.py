import pytest
from conftest import CUSTOMER_ID, ORDER, REVIEWER_KEY, answer_message, tool_call_message

from rag_assistant.agent import TOOLS, AgentContext, AgentStepLimitError, SupportAgent
from rag_assistant.human_review import ApprovalQueue
from rag_assistant.llm import LLMClient

ORDER_ID = ORDER["order_id"]


@pytest.fixture
def agent(make_settings, fakes):
    settings = make_settings(MAX_AGENT_STEPS="3")
    llm = LLMClient(fakes.openai, settings)
    return SupportAgent(llm, fakes.toolbox, ApprovalQueue(fakes.redis, fakes.helpdesk), settings)


@pytest.fixture
def ctx():
    return AgentContext(customer_id=CUSTOMER_ID, conversation_id="c" * 32, user_ref="c-test")


def messages():
    return [{"role": "system", "content": "test"}, {"role": "user", "content": "where is my order?"}]


def test_tools_are_strict_function_schemas():
    names = {tool["function"]["name"] for tool in TOOLS}
    assert names == {"lookup_order", "issue_refund", "send_email"}
    assert all(tool["function"]["strict"] for tool in TOOLS)


def test_read_only_lookup_runs_automatically(agent, fakes, ctx):
    fakes.openai.completions.script = [
        tool_call_message("lookup_order", {"order_id": ORDER_ID}),
        answer_message("Your order was delivered on 3 October.", source_ids=(f"order:{ORDER_ID}",)),
    ]
    result = agent.run(messages(), ctx)
    assert fakes.toolbox.lookups == [ORDER_ID]
    assert result.steps == 2
    assert result.answer.source_ids == [f"order:{ORDER_ID}"]
    tool_message = fakes.openai.completions.calls[1]["messages"][-1]
    assert tool_message["role"] == "tool" and '"status": "delivered"' in tool_message["content"]
    assert f"order:{ORDER_ID}" in ctx.tool_sources


def test_agent_loop_is_bounded(agent, fakes, ctx):
    # a model that never stops calling tools
    fakes.openai.completions.script = [tool_call_message("lookup_order", {"order_id": ORDER_ID}) for _ in range(10)]
    with pytest.raises(AgentStepLimitError):
        agent.run(messages(), ctx)
    assert len(fakes.openai.completions.calls) == 3


def test_refund_waits_for_human_approval(agent, fakes, ctx):
    fakes.openai.completions.script = [
        tool_call_message("lookup_order", {"order_id": ORDER_ID}),
        tool_call_message("issue_refund", {"order_id": ORDER_ID, "amount_cents": 4500, "reason": "damaged"}),
        answer_message("I've passed your refund request to our team.", source_ids=(f"order:{ORDER_ID}",)),
    ]
    agent.run(messages(), ctx)
    assert fakes.toolbox.executed == []  # nothing moved money
    [action] = ctx.pending_actions
    assert action.tool == "issue_refund" and action.status == "pending"
    assert fakes.helpdesk.approval_tasks[0].action_id == action.action_id
    tool_result = fakes.openai.completions.calls[2]["messages"][-1]["content"]
    assert "pending_human_approval" in tool_result


def test_write_tools_need_a_verified_order(agent, fakes, ctx):
    fakes.openai.completions.script = [
        tool_call_message("send_email", {"order_id": ORDER_ID, "template": "return_label"}),
        answer_message(source_ids=("kb-1001",)),
    ]
    agent.run(messages(), ctx)
    assert ctx.pending_actions == []
    assert "lookup_order first" in fakes.openai.completions.calls[1]["messages"][-1]["content"]


def test_refund_above_order_total_is_rejected(agent, fakes, ctx):
    fakes.openai.completions.script = [
        tool_call_message("lookup_order", {"order_id": ORDER_ID}),
        tool_call_message("issue_refund", {"order_id": ORDER_ID, "amount_cents": 99_999, "reason": "other"}),
        answer_message(source_ids=(f"order:{ORDER_ID}",)),
    ]
    agent.run(messages(), ctx)
    assert ctx.pending_actions == []


def test_unknown_tool_and_bad_arguments_are_not_executed(agent, fakes, ctx):
    fakes.openai.completions.script = [
        tool_call_message("run_shell", {"cmd": "rm -rf /"}),
        tool_call_message("lookup_order", {"order": "NW-1"}),
        answer_message(),
    ]
    agent.run(messages(), ctx)
    calls = fakes.openai.completions.calls
    assert "unknown tool" in calls[1]["messages"][-1]["content"]
    assert "invalid arguments" in calls[2]["messages"][-1]["content"]
    assert fakes.toolbox.lookups == []


# --- approval endpoint -----------------------------------------------------------------------
def _queue_refund(client, fakes, chat_body):
    fakes.openai.completions.script = [
        tool_call_message("lookup_order", {"order_id": ORDER_ID}),
        tool_call_message("issue_refund", {"order_id": ORDER_ID, "amount_cents": 4500, "reason": "damaged"}),
        answer_message("A colleague will review your refund.", source_ids=("kb-1006", f"order:{ORDER_ID}")),
    ]
    body = client.post("/v1/chat", json={**chat_body, "message": "My stove arrived broken, refund please"}).json()
    assert body["status"] == "answered"
    [pending] = body["pending_actions"]
    assert pending["status"] == "pending"
    return pending["action_id"]


def test_approved_refund_runs_once(make_client, fakes, chat_body):
    with make_client() as client:
        action_id = _queue_refund(client, fakes, chat_body)
        url = f"/internal/v1/actions/{action_id}/decision"
        decision = {"approved": True, "reviewer_id": "agent-jpatel"}
        first = client.post(url, json=decision, headers={"X-Reviewer-Key": REVIEWER_KEY})
        second = client.post(url, json=decision, headers={"X-Reviewer-Key": REVIEWER_KEY})
    assert first.status_code == 200
    assert first.json()["status"] == "executed"
    assert first.json()["decided_by"] == "agent-jpatel"
    assert second.status_code == 409
    assert len(fakes.toolbox.executed) == 1


def test_rejected_refund_never_runs(make_client, fakes, chat_body):
    with make_client() as client:
        action_id = _queue_refund(client, fakes, chat_body)
        response = client.post(
            f"/internal/v1/actions/{action_id}/decision",
            json={"approved": False, "reviewer_id": "agent-jpatel", "note": "outside 14 days"},
            headers={"X-Reviewer-Key": REVIEWER_KEY},
        )
    assert response.json()["status"] == "rejected"
    assert fakes.toolbox.executed == []


def test_chat_api_key_cannot_approve(make_client, fakes, chat_body):
    with make_client() as client:
        action_id = _queue_refund(client, fakes, chat_body)
        response = client.post(
            f"/internal/v1/actions/{action_id}/decision",
            json={"approved": True, "reviewer_id": "agent-jpatel"},
        )
    assert response.status_code == 401
    assert fakes.toolbox.executed == []


def test_step_limit_hands_off(make_client, fakes, chat_body):
    fakes.openai.completions.script = [tool_call_message("lookup_order", {"order_id": ORDER_ID}) for _ in range(10)]
    with make_client(MAX_AGENT_STEPS="2") as client:
        body = client.post("/v1/chat", json=chat_body).json()
    assert body["status"] == "handed_off"
    assert body["handoff_reason"] == "agent_step_limit"
    assert len(fakes.openai.completions.calls) == 2
