from madoguchi.inboxes.ingest import ingest
from madoguchi.inboxes.messages import InboundMessage, SenderHandle
from madoguchi.search.index import match
from madoguchi.search.models import DocumentKind
from madoguchi.tickets.models import Ticket


def test_ingest_smoke(inboxes):
    inbound = InboundMessage(
        inbox_id=inboxes["form"].pk, external_id="x1",
        sender=SenderHandle("email", "Taro@Example.JP"), sender_name="山田 太郎",
        subject="引越しに伴う住所変更", body_text="ﾛｸﾞｲﾝできません。090-1234-5678",
    )
    r = ingest(inbound)
    assert r.created_ticket and not r.duplicate
    assert ingest(inbound).duplicate
    t = Ticket.objects.get()
    assert t.number == 10001
    assert match(DocumentKind.TICKET, "引っ越し") == [t.pk]
    assert match(DocumentKind.TICKET, "ログイン") == [t.pk]
