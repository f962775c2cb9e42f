"""English-speaking customers (the en agent answers them) and the spam every inbox gets."""

from __future__ import annotations

from .model import Script, Topic

EN_SHIPPING = Topic(
    key="en_shipping",
    weight=3,
    tags=("配送", "English"),
    form_category="order",
    language="en",
    channels=("email", "form", "chat", "line"),
    scripts=(
        Script(
            subjects=("Where is my order?", "Order {order} not delivered yet"),
            opening=(
                "I ordered the {product} on {order_date_en} but haven't received a shipping notice yet.\n"
                "Could you tell me when it will arrive? My order number is {order}.",
                "Hello, my order {order} still hasn't arrived. I need it by the weekend. Can you check?",
            ),
            casual=("Hi! Has my order {order} shipped yet?", "Hello, when will my {product} arrive?"),
            call=("Call from {family}: asked (in English) when order {order} will arrive.",),
            reply=(
                "Your {product} (order {order}) was shipped with {carrier_en} on {ship_date_en}.\n"
                "The tracking number is {tracking}; delivery is planned for {arrive_date_en}.",
                "I checked with our warehouse: your order will be shipped tomorrow and should arrive by {arrive_date_en}. "
                "We will e-mail you the tracking number as soon as it leaves the warehouse.",
            ),
            asks=True,
            followup=("Thank you, it arrived today!", "Thanks. Can I change the delivery time to the evening?"),
            followup_casual=("Got it, thanks!", "Could it come in the evening instead?"),
            reply2=("Glad to hear it arrived. Enjoy your {product}!",
                    "Done: the delivery is now set for {arrive_date_en}, 19:00–21:00."),  # fmt: skip
            outcome=("Gave tracking number {tracking}; customer satisfied.",),
            notes=("English-speaking customer; Emily please take this one.",),
        ),
    ),
)

EN_RETURN = Topic(
    key="en_return",
    weight=2,
    tags=("返品", "English"),
    team="returns",
    form_category="return",
    language="en",
    channels=("email", "form", "chat"),
    scripts=(
        Script(
            subjects=("Return request", "I'd like to return an item"),
            opening=(
                "The {product} I bought (order {order}) is {reason_en}. I'd like to return it for a refund.\n"
                "It is unused and still has the tags on.",
            ),
            casual=("Can I return the {product}? It's {reason_en}.",),
            call=("Call from {family}: wants to return {product} ({order}).",),
            reply=(
                "Of course. Please send the item back to our warehouse with the return slip included in the parcel.\n"
                "Once it arrives we will refund {amount} to your original payment method within {refund_days} business days.",
            ),
            asks=True,
            followup=("I sent it back today. Tracking number {tracking}.",),
            followup_casual=("Sent it today!",),
            reply2=("We received the item and refunded {amount}. Thank you for shopping with us.",),
            outcome=("Return received; refunded {amount}.",),
            notes=("Refund processed in the payment dashboard.",),
        ),
    ),
)

SPAM = Topic(
    key="spam",
    weight=0,  # drawn separately, see history.SPAM_SHARE
    tags=(),
    channels=("email", "form"),
    scripts=(
        Script(
            subjects=(
                "【SEO対策】貴社サイトの検索順位を劇的に改善します",
                "業務提携のご提案（EC売上3倍保証）",
                "Your account has been suspended - verify now",
                "【重要】お支払い情報の確認のお願い",
                "Guaranteed 1st page Google ranking",
            ),
            opening=(
                "突然のご連絡失礼いたします。貴社ECサイトを拝見し、大きな伸びしろがあると感じました。\n"
                "弊社のSEOパッケージ（月額たったの29,800円）で検索順位1位を保証いたします。\n"
                "詳細は以下URLよりご確認ください。\nhttp://seo-boost.example.net/lp?id=88231",
                "Dear Customer,\n\nWe detected unusual activity. Your account will be closed in 24 hours unless you "
                "verify your payment details here: http://secure-verify.example.org/login\n\nSupport Team",
                "お世話になっております。\nお支払い情報に不備がございます。下記リンクより48時間以内に再登録してください。\n"
                "http://amaz0n-pay.example.net/update\n※本メールは送信専用です。",
            ),
            casual=(),
            call=(),
            reply=(),
        ),
    ),
)

TOPICS = (EN_SHIPPING, EN_RETURN)
