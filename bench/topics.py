"""What customers write about, in Japanese and English: subjects and lines of conversation.

Slots: {product}, {date}. A line has at most one slot so the set of distinct lines stays
small enough to tokenise each one once (see generate.py).
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Topic:
    key: str
    team: str
    tags: tuple[str, ...]
    subjects: tuple[str, ...]
    opening: tuple[str, ...]  # what the customer writes first
    details: tuple[str, ...] = ()
    replies: tuple[str, ...] = ()  # what the agent answers
    follow_ups: tuple[str, ...] = ()  # the customer's next message
    notes: tuple[str, ...] = ()  # internal notes
    channels: tuple[str, ...] = field(default=())  # empty = any channel


JA_TOPICS = [
    Topic(
        "shipping", "配送・物流", ("配送遅延", "配送状況"),
        ("注文した商品がまだ届きません", "配送状況の確認をお願いします", "発送はいつになりますか",
         "{product}の配送について", "お届け予定日を過ぎています"),
        ("{date}に注文した商品がまだ届いておりません。", "発送完了のメールが届いてから一週間経ちますが、まだ受け取れていません。",
         "追跡番号で確認すると「持戻り」になっています。", "{product}を注文しましたが、いつ頃発送されますか。"),
        ("配送状況を確認していただけますでしょうか。", "誕生日のプレゼントなので、{date}までに届くと助かります。",
         "不在票は入っていませんでした。", "置き配の指定をしたはずなのですが。"),
        ("ご注文の商品は{date}に発送しております。", "配送業者に確認したところ、現在配達店に到着しているとのことです。",
         "お届けが遅れておりまして、大変申し訳ございません。", "追跡番号は発送完了メールに記載しております。",
         "{date}のお届けとなる見込みです。"),
        ("本日無事に届きました。ありがとうございました。", "まだ届いていません。再度確認をお願いできますか。",
         "追跡番号を教えていただけますか。"),
        ("ヤマト営業所に調査依頼済み。", "倉庫の出荷記録を確認中。", "再発送の可能性あり、在庫確保済み。"),
    ),
    Topic(
        "return", "返品・交換", ("返品", "交換"),
        ("返品したいです", "返品・交換の手続きについて", "サイズ交換をお願いします", "{product}の返品について"),
        ("{product}のサイズが合わなかったので返品したいです。", "届いた商品がイメージと違ったため、返品を希望します。",
         "Mサイズを注文しましたが、Lサイズに交換できますか。", "未開封ですが、返品は可能でしょうか。"),
        ("返品の送料はどちらの負担になりますか。", "タグは切っていません。", "返金は元の支払い方法に戻りますか。"),
        ("返品手続きのご案内をお送りいたします。", "商品到着後8日以内であれば返品を承っております。",
         "返品用の着払い伝票を同封いたしますので、ご利用ください。", "交換品は在庫を確保しております。",
         "商品の到着を確認次第、返金の手続きを進めます。"),
        ("返送しました。よろしくお願いします。", "返金はいつ頃になりますか。", "交換品を受け取りました。ありがとうございます。"),
        ("返品受付済み、倉庫に入荷連絡を依頼。", "返金処理済み（決済代行の管理画面で確認）。"),
    ),
    Topic(
        "address", "一次対応", ("住所変更",),
        ("お届け先住所の変更", "引っ越しに伴う住所変更", "配送先を変更したいです"),
        ("引越しをしたので、お届け先の住所を変更したいです。", "注文時の住所が間違っていました。",
         "{date}に引っ越すため、次回の定期便から住所を変えてください。"),
        ("新しい住所は下記のとおりです。", "マイページから変更できませんでした。"),
        ("お届け先住所の変更を承りました。", "すでに発送済みのため、配送業者へ転送を依頼いたします。",
         "マイページの「登録情報の変更」からもご変更いただけます。"),
        ("変更ありがとうございました。", "マイページのどこから変更できますか。"),
        ("住所変更済み、出荷前で間に合った。", "転送依頼済み。"),
    ),
    Topic(
        "defect", "返品・交換", ("不良品", "交換"),
        ("商品に不具合があります", "届いた商品が破損していました", "初期不良について", "{product}が動きません"),
        ("届いた{product}が破損していました。", "箱を開けたら傷がついていました。", "電源を入れても動きません。",
         "部品が一つ足りませんでした。"),
        ("写真を添付します。", "交換をお願いできますでしょうか。", "プレゼント用だったのでとても残念です。"),
        ("ご迷惑をおかけして大変申し訳ございません。", "新しい商品をすぐにお送りいたします。",
         "お手数ですが、不具合の状態がわかる写真をお送りいただけますか。", "不良品は着払いでご返送ください。"),
        ("写真を送りました。", "交換品が届きました。問題なく使えています。", "返金でお願いします。"),
        ("メーカーに不良報告済み。", "同ロットで同様の報告が3件、品質管理に共有。"),
    ),
    Topic(
        "payment", "決済・会員", ("支払い",),
        ("支払い方法について", "クレジットカードの決済エラー", "代金引換に変更できますか", "二重に請求されています"),
        ("クレジットカードで決済しようとするとエラーになります。", "コンビニ払いの払込票が届きません。",
         "同じ注文で二重に引き落とされているようです。", "後払いの請求書を紛失してしまいました。"),
        ("カードは他のサイトでは使えています。", "至急確認をお願いします。"),
        ("決済状況を確認いたしました。", "二重請求となっていた分は取り消しの手続きをいたしました。",
         "カード会社の承認が下りなかった可能性がございます。", "払込票を再発行してお送りいたします。"),
        ("確認ありがとうございます。", "取り消しはいつ反映されますか。"),
        ("決済代行に問い合わせ中。", "与信NGのため別の支払い方法を案内。"),
    ),
    Topic(
        "login", "決済・会員", ("ログイン",),
        ("ログインできません", "パスワードを忘れました", "会員登録のメールが届きません", "ﾛｸﾞｲﾝできない"),
        ("ログインしようとすると「パスワードが違います」と表示されます。", "パスワード再設定のメールが届きません。",
         "スマホからだとログインできません。", "登録したメールアドレスを忘れてしまいました。"),
        ("迷惑メールフォルダも確認しました。", "何度試しても同じです。"),
        ("パスワード再設定用のリンクをお送りしました。", "ドメイン指定受信の設定をご確認ください。",
         "会員情報を確認いたしましたので、再度お試しください。"),
        ("ログインできました。", "まだログインできません。"),
        ("アカウントロック解除済み。",),
    ),
    Topic(
        "phone_order", "一次対応", ("電話注文", "FAX注文"),
        ("電話での注文", "FAXでの注文について", "カタログを見て注文したい"),
        ("カタログに載っている{product}を二つ注文したいです。", "FAXで注文書を送りました。", "インターネットが苦手なので電話で注文したいです。"),
        ("支払いは代金引換でお願いします。", "届け先は自宅です。"),
        ("ご注文を承りました。", "FAXの注文書を受け付けました。", "代金引換でお届けいたします。"),
        ("よろしくお願いします。",),
        ("FAX注文書を手入力で登録。", "電話注文、復唱確認済み。"),
        ("phone", "fax"),
    ),
    Topic(
        "cancel", "一次対応", ("キャンセル",),
        ("注文をキャンセルしたいです", "キャンセルについて", "間違えて注文しました"),
        ("{date}の注文をキャンセルしたいです。", "間違えて同じ商品を二回注文してしまいました。"),
        ("まだ発送前だと思います。",),
        ("ご注文のキャンセルを承りました。", "すでに発送済みのため、お受け取り後に返品のお手続きをお願いいたします。"),
        ("ありがとうございました。",),
        ("出荷停止を倉庫に依頼。",),
    ),
    Topic(
        "receipt", "決済・会員", ("領収書",),
        ("領収書の発行について", "インボイス対応の領収書がほしい"),
        ("会社の経費で購入したので、領収書を発行していただけますか。", "宛名を会社名にしてほしいです。"),
        ("適格請求書発行事業者の登録番号も記載してください。",),
        ("領収書はマイページの注文履歴からダウンロードいただけます。", "宛名を変更した領収書をお送りいたします。"),
        ("ダウンロードできました。",),
        (),
    ),
    Topic(
        "stock", "一次対応", ("在庫確認",),
        ("再入荷の予定はありますか", "{product}の在庫について"),
        ("{product}が品切れになっていますが、再入荷の予定はありますか。", "色違いの在庫はありますか。"),
        ("入荷したら連絡がほしいです。",),
        ("{date}頃に再入荷の予定です。", "入荷のお知らせメールにご登録ください。", "誠に恐れ入りますが、生産終了となりました。"),
        ("予約はできますか。",),
        (),
    ),
]  # fmt: skip

EN_TOPICS = [
    Topic(
        "shipping", "配送・物流", ("配送遅延", "english"),
        ("Where is my order?", "Order not delivered yet", "Shipping status", "Delivery of {product}"),
        ("I ordered on {date} and the parcel has not arrived yet.", "The tracking page has not updated for five days.",
         "Could you tell me when my {product} will ship?"),
        ("I need it before {date} if possible.", "Is international shipping delayed?"),
        ("Your order shipped on {date}.", "I checked with the carrier and the parcel is at your local depot.",
         "I am sorry for the delay.", "It should arrive by {date}."),
        ("It arrived today, thank you!", "Still nothing. Could you check again?"),
        ("Asked the carrier for a trace.",),
    ),
    Topic(
        "return", "返品・交換", ("返品", "english"),
        ("Return and refund", "Refund request", "I want to return {product}", "Exchange for a different size"),
        ("The {product} does not fit, I would like a refund.", "Can I exchange it for a larger size?",
         "I would like to return my order and get a refund."),
        ("Who pays for the return shipping?", "The tags are still on."),
        ("We have started your return. A prepaid label is attached.", "The refund will be issued once the item reaches our warehouse.",
         "Your refund has been processed and should appear within five business days."),
        ("I sent it back today.", "When will I get the refund?", "Refund received, thanks."),
        ("Refund issued in the payment dashboard.",),
    ),
    Topic(
        "defect", "返品・交換", ("不良品", "english"),
        ("Damaged item", "Broken on arrival", "{product} does not work"),
        ("My {product} arrived broken.", "The box was crushed and the item is scratched."),
        ("I attached a photo.",),
        ("We are very sorry. A replacement is on its way.", "Could you send us a photo of the damage?"),
        ("Replacement arrived, all good.", "I would prefer a refund."),
        ("Reported to the manufacturer.",),
    ),
    Topic(
        "payment", "決済・会員", ("支払い", "english"),
        ("Payment failed", "Charged twice", "Payment methods"),
        ("My credit card was declined at checkout.", "I was charged twice for the same order."),
        ("Please check as soon as possible.",),
        ("We cancelled the duplicate charge.", "Your bank may have blocked the payment; please try again."),
        ("Thanks for checking.",),
        ("Duplicate charge voided.",),
    ),
    Topic(
        "login", "決済・会員", ("ログイン", "english"),
        ("Cannot log in", "Password reset email not received"),
        ("I cannot log in to my account.", "The password reset email never arrives."),
        ("I checked the spam folder.",),
        ("I have sent you a new password reset link.", "Your account was locked after several attempts; it is unlocked now."),
        ("It works now.", "Still cannot log in."),
        (),
    ),
    Topic(
        "cancel", "一次対応", ("キャンセル", "english"),
        ("Cancel my order", "Ordered by mistake"),
        ("Please cancel the order I placed on {date}.",),
        (),
        ("Your order has been cancelled and you will not be charged.",),
        ("Thank you.",),
        (),
    ),
]  # fmt: skip

JA_PRODUCTS = [
    "オーガニックコットンTシャツ（白・M）", "リネンシャツ（ネイビー・L）", "ステンレス保温ボトル 500ml", "有田焼 マグカップ",
    "今治タオル フェイスタオル3枚組", "木製カッティングボード", "南部鉄器 急須", "ワイヤレスイヤホン", "モバイルバッテリー 10000mAh",
    "スマートフォンケース", "レザー長財布", "キャンバストートバッグ", "ウールマフラー", "ダウンジャケット（黒・M）",
    "ランニングシューズ 26.0cm", "ヨガマット", "アロマディフューザー", "加湿器", "電気ケトル", "コーヒー豆 200g（深煎り）",
    "抹茶 缶入り 40g", "煎茶ティーバッグ", "北海道チーズケーキ", "お歳暮ギフトセット", "子ども用リュック", "絵本セット",
    "ドッグフード 3kg", "猫用爪とぎ", "観葉植物 パキラ", "土鍋 8号", "ＵＳＢ充電器", "Ｔシャツ（黒・Ｌ）",
]  # fmt: skip
EN_PRODUCTS = [
    "organic cotton T-shirt", "insulated bottle", "ceramic mug", "wireless earbuds", "power bank",
    "leather wallet", "tote bag", "wool scarf", "down jacket", "running shoes", "yoga mat", "tea set",
]  # fmt: skip

JA_GREETINGS = ("お世話になっております。", "いつもお世話になっております。", "こんにちは。", "はじめまして。", "突然のご連絡失礼いたします。")
JA_CLOSINGS = ("よろしくお願いいたします。", "お手数ですが、よろしくお願いします。", "ご確認のほどよろしくお願いいたします。", "以上、よろしくお願いします。")
JA_THANKS = ("お問い合わせいただきありがとうございます。", "ご連絡ありがとうございます。", "いつもご利用いただきありがとうございます。")
JA_AGENT_CLOSINGS = ("今後ともよろしくお願いいたします。", "ご不明な点がございましたら、お気軽にお問い合わせください。", "引き続きよろしくお願い申し上げます。")
EN_GREETINGS = ("Hello,", "Hi there,", "Good morning,")
EN_CLOSINGS = ("Thanks,", "Best regards,", "Thank you for your help.")
EN_AGENT_OPEN = ("Thank you for contacting us.", "Thanks for reaching out.")
EN_AGENT_CLOSINGS = ("Please let us know if there is anything else we can do.", "Kind regards,")
SPAM = (
    ("【重要】アカウントが停止されました", "下記URLから至急ご確認ください。", "SEO対策で売上が3倍に！今なら無料診断実施中です。"),
    ("Business proposal", "We offer cheap followers and reviews for your shop.", "Click here to claim your prize."),
)  # fmt: skip
