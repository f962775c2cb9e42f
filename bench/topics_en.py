"""What English-speaking customers write about (same topics, teams and tags as topics.py)."""

from __future__ import annotations

from topics import Topic

EN_TOPICS = [
    Topic(
        "shipping",
        "配送・物流",
        ("配送遅延", "english"),
        (
            "Where is my order?",
            "Order not delivered yet",
            "Shipping status",
            "Delivery of {product}",
        ),
        (
            "I ordered on {date} and the parcel has not arrived yet.",
            "The tracking page has not updated for five days.",
            "Could you tell me when my {product} will ship?",
        ),
        ("I need it before {date} if possible.", "Is international shipping delayed?"),
        (
            "Your order shipped on {date}.",
            "I checked with the carrier and the parcel is at your local depot.",
            "I am sorry for the delay.",
            "It should arrive by {date}.",
        ),
        ("It arrived today, thank you!", "Still nothing. Could you check again?"),
        ("Asked the carrier for a trace.",),
    ),
    Topic(
        "return",
        "返品・交換",
        ("返品", "english"),
        (
            "Return and refund",
            "Refund request",
            "I want to return {product}",
            "Exchange for a different size",
        ),
        (
            "The {product} does not fit, I would like a refund.",
            "Can I exchange it for a larger size?",
            "I would like to return my order and get a refund.",
        ),
        ("Who pays for the return shipping?", "The tags are still on."),
        (
            "We have started your return. A prepaid label is attached.",
            "The refund will be issued once the item reaches our warehouse.",
            "Your refund has been processed and should appear within five business days.",
        ),
        ("I sent it back today.", "When will I get the refund?", "Refund received, thanks."),
        ("Refund issued in the payment dashboard.",),
    ),
    Topic(
        "defect",
        "返品・交換",
        ("不良品", "english"),
        ("Damaged item", "Broken on arrival", "{product} does not work"),
        ("My {product} arrived broken.", "The box was crushed and the item is scratched."),
        ("I attached a photo.",),
        (
            "We are very sorry. A replacement is on its way.",
            "Could you send us a photo of the damage?",
        ),
        ("Replacement arrived, all good.", "I would prefer a refund."),
        ("Reported to the manufacturer.",),
    ),
    Topic(
        "payment",
        "決済・会員",
        ("支払い", "english"),
        ("Payment failed", "Charged twice", "Payment methods"),
        ("My credit card was declined at checkout.", "I was charged twice for the same order."),
        ("Please check as soon as possible.",),
        (
            "We cancelled the duplicate charge.",
            "Your bank may have blocked the payment; please try again.",
        ),
        ("Thanks for checking.",),
        ("Duplicate charge voided.",),
    ),
    Topic(
        "login",
        "決済・会員",
        ("ログイン", "english"),
        ("Cannot log in", "Password reset email not received"),
        ("I cannot log in to my account.", "The password reset email never arrives."),
        ("I checked the spam folder.",),
        (
            "I have sent you a new password reset link.",
            "Your account was locked after several attempts; it is unlocked now.",
        ),
        ("It works now.", "Still cannot log in."),
        (),
    ),
    Topic(
        "cancel",
        "一次対応",
        ("キャンセル", "english"),
        ("Cancel my order", "Ordered by mistake"),
        ("Please cancel the order I placed on {date}.",),
        (),
        ("Your order has been cancelled and you will not be charged.",),
        ("Thank you.",),
        (),
    ),
]

EN_PRODUCTS = [
    "organic cotton T-shirt",
    "insulated bottle",
    "ceramic mug",
    "wireless earbuds",
    "power bank",
    "leather wallet",
    "tote bag",
    "wool scarf",
    "down jacket",
    "running shoes",
    "yoga mat",
    "tea set",
]

EN_GREETINGS = ("Hello,", "Hi there,", "Good morning,")
EN_CLOSINGS = ("Thanks,", "Best regards,", "Thank you for your help.")
EN_AGENT_OPEN = ("Thank you for contacting us.", "Thanks for reaching out.")
EN_AGENT_CLOSINGS = ("Please let us know if there is anything else we can do.", "Kind regards,")
