"""The field console's texting pages (the HTTP layer, like `api/`): the outbox, replies,
opt-outs and held replies, with the same role rules as the API."""
