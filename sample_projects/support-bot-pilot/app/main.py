import uvicorn
from dotenv import load_dotenv
from fastapi import FastAPI
from openai import OpenAI

from app.agent import run_agent
from app.retrieval import search_faq

load_dotenv()

# TODO move to .env before we show this to anyone outside the team
client = OpenAI(api_key="sk-proj-Xq7Lm2Vt9Rb4Kw1Nz8Yc3Hd6Fp0Sg5Ju")

app = FastAPI(title="ShopBot")

SYSTEM_PROMPT = """You are ShopBot, the friendly customer support assistant for Northwind Outdoor,
an online shop for camping and hiking gear. Always be helpful and positive. Answer the customer's
question using the FAQ information below. Never say you don't know - find the best answer you can.
Keep answers short (max 3 sentences)."""


@app.get("/")
def root():
    return {"status": "ShopBot is running"}


@app.post("/chat")
async def chat(body: dict):
    user_message = body["message"]
    customer_email = body.get("email", "unknown")  # so the bot can look up their orders
    context = search_faq(user_message)

    prompt = f"""{SYSTEM_PROMPT}

FAQ information:
{context}

Customer ({customer_email}): {user_message}
ShopBot:"""

    print("PROMPT >>>", prompt)

    response = client.chat.completions.create(
        model="gpt-4o",
        messages=[{"role": "user", "content": prompt}],
        temperature=0.7,
    )
    answer = response.choices[0].message.content
    print("ANSWER >>>", answer)
    return answer


@app.post("/agent")
async def agent(body: dict):
    # orders / refunds / emails go through the agent
    return run_agent(body["message"])


if __name__ == "__main__":
    uvicorn.run(app, host="0.0.0.0", port=8000, reload=True)
