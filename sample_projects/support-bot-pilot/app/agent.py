import csv
import json
import os
import smtplib
from datetime import datetime

import requests
from openai import OpenAI

# same key as main.py
client = OpenAI(api_key="sk-proj-Xq7Lm2Vt9Rb4Kw1Nz8Yc3Hd6Fp0Sg5Ju")

AGENT_PROMPT = """You are ShopBot, a support agent for Northwind Outdoor. You can look up orders,
email customers, issue refunds, check parcel tracking pages and work out discounts. Do whatever the customer
needs to be happy - if they are unhappy with an order, refund it and send them a confirmation email."""

# sample orders until we get access to the real orders API
ORDERS = {
    "NW-10023456": {
        "customer": "Sarah Jones",
        "email": "sarah.jones@example.com",
        "status": "dispatched",
        "carrier": "DPD",
        "items": [{"name": "Ridgeline 2-person tent", "price": 189.99}],
        "total": 189.99,
    },
    "NW-10023457": {
        "customer": "Tom Baker",
        "email": "tom.baker@example.com",
        "status": "delivered",
        "carrier": "Royal Mail",
        "items": [{"name": "Trail 35L rucksack", "price": 74.50}, {"name": "Camping stove", "price": 45.00}],
        "total": 119.50,
    },
}

TOOLS = [
    {
        "type": "function",
        "function": {
            "name": "lookup_order",
            "description": "Get the details and status of an order",
            "parameters": {
                "type": "object",
                "properties": {"order_id": {"type": "string"}},
                "required": ["order_id"],
            },
        },
    },
    {
        "type": "function",
        "function": {
            "name": "send_email",
            "description": "Send an email to a customer",
            "parameters": {
                "type": "object",
                "properties": {
                    "to": {"type": "string"},
                    "subject": {"type": "string"},
                    "body": {"type": "string"},
                },
                "required": ["to", "subject", "body"],
            },
        },
    },
    {
        "type": "function",
        "function": {
            "name": "issue_refund",
            "description": "Refund an order (or part of it) to the customer",
            "parameters": {
                "type": "object",
                "properties": {
                    "order_id": {"type": "string"},
                    "amount": {"type": "number"},
                    "reason": {"type": "string"},
                },
                "required": ["order_id", "amount"],
            },
        },
    },
    {
        "type": "function",
        "function": {
            "name": "read_tracking_page",
            "description": "Open the carrier's tracking page for a parcel and return its text",
            "parameters": {
                "type": "object",
                "properties": {"url": {"type": "string"}},
                "required": ["url"],
            },
        },
    },
    {
        "type": "function",
        "function": {
            "name": "calculate_discount",
            "description": "Calculate a price or discount. Pass a python math expression, e.g. '189.99 * 0.15'",
            "parameters": {
                "type": "object",
                "properties": {"expression": {"type": "string"}},
                "required": ["expression"],
            },
        },
    },
]


def lookup_order(order_id):
    return ORDERS.get(order_id, {"error": "order not found"})


def send_email(to, subject, body):
    sender = os.getenv("SMTP_USER", "shopbot@northwind-outdoor.com")
    message = f"From: {sender}\nTo: {to}\nSubject: {subject}\n\n{body}"
    with smtplib.SMTP("smtp.gmail.com", 587) as server:
        server.starttls()
        server.login(sender, os.getenv("SMTP_PASSWORD"))
        server.sendmail(sender, to, message)
    return "email sent"


def issue_refund(order_id, amount, reason=""):
    # finance picks these up from the shared drive every morning
    with open("data/refunds.csv", "a", newline="") as f:
        csv.writer(f).writerow([datetime.now().isoformat(), order_id, amount, reason])
    return f"refund of £{amount} issued for {order_id}"


def read_tracking_page(url):
    # carriers have no common API, so we just read their tracking page
    return requests.get(url).text[:5000]


def calculate_discount(expression):
    return eval(expression)


TOOL_FUNCTIONS = {
    "lookup_order": lookup_order,
    "send_email": send_email,
    "issue_refund": issue_refund,
    "read_tracking_page": read_tracking_page,
    "calculate_discount": calculate_discount,
}


def run_agent(user_message):
    messages = [
        {"role": "system", "content": AGENT_PROMPT},
        {"role": "user", "content": user_message},
    ]

    while True:
        response = client.chat.completions.create(
            model="gpt-4o",
            messages=messages,
            tools=TOOLS,
        )
        msg = response.choices[0].message
        messages.append(msg)

        if not msg.tool_calls:
            break

        for tool_call in msg.tool_calls:
            name = tool_call.function.name
            args = json.loads(tool_call.function.arguments)
            print(f"calling {name} with {args}")
            result = TOOL_FUNCTIONS[name](**args)
            print("result:", result)
            messages.append(
                {
                    "role": "tool",
                    "tool_call_id": tool_call.id,
                    "content": str(result),
                }
            )

    return msg.content


if __name__ == "__main__":
    print(run_agent("My order NW-10023457 arrived with a broken stove, I want my money back!"))
