import chromadb
from langchain.text_splitter import RecursiveCharacterTextSplitter

chroma_client = chromadb.PersistentClient(path="./chroma_db")
collection = chroma_client.get_or_create_collection("faq")


def load_faq(path="data/faq.md"):
    with open(path) as f:
        text = f.read()

    splitter = RecursiveCharacterTextSplitter(chunk_size=500, chunk_overlap=50)
    chunks = splitter.split_text(text)

    collection.add(
        documents=chunks,
        ids=[f"faq-{i}" for i in range(len(chunks))],
    )
    print(f"loaded {len(chunks)} chunks into chroma")


def search_faq(query, n_results=3):
    results = collection.query(query_texts=[query], n_results=n_results)
    # just glue the best chunks together for the prompt
    return "\n\n".join(results["documents"][0])


# first run: build the index
if collection.count() == 0:
    load_faq()


if __name__ == "__main__":
    print(search_faq("how long do refunds take"))
