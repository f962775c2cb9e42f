"""Phrases that mark a delivery failure and say why it failed.

Written for Madoguchi from the wording real MTAs use (Postfix, Sendmail, Exim, qmail,
Exchange, Gmail, Yahoo, Japanese carriers …); the reason names follow sisimai's vocabulary
so results can be compared with its public test set.
"""

from __future__ import annotations

import re

_I = re.IGNORECASE

# A sender that only machines use.
DAEMON_LOCAL = re.compile(
    r"^(?:mailer[-_]?daemon|mail[-_]?daemon|postmaster|post_master|poostmaster|mmdf|"
    r"mail[-_]?delivery[-_]?(?:system|subsystem)|bounces?|mdaemon|sysadmin|"
    r"postoffice|mailadmin|daemon)$",
    _I,
)
DAEMON_NAME = re.compile(
    r"mail(?:er)? deliver(?:y)? (?:system|subsystem)|mailer[- ]daemon|"
    r"postmaster|ndr administrator",
    _I,
)

# Subjects of non-standard bounces. Anchored loosely: MTAs prefix host names or "[Postmaster]".
SUBJECT = re.compile(
    r"undeliver(?:ed|able)|returned mail|mail delivery (?:failed|failure|status)|"
    r"delivery (?:status notification|failure|failed|notification|has failed|report)|"
    r"(?:failure|failed|permanent) (?:notice|delivery)|delivery status$|"
    r"could not (?:be )?deliver|non[- ]?deliver|mail system error|"
    r"warning.{0,20}(?:could not send|delayed)|delayed mail|message .{0,60}delayed|"
    r"return(?:ed|ing) to sender|mail failure|error sending your mail|not (?:be )?delivered|"
    r"^(?:returned|bounced?) mail|rejected|mail could not be delivered|"
    r"メール送信エラー|未配達|配信不能|配送(?:エラー|失敗|不能)|送信(?:失敗|できません)|"
    r"不達|宛先不明|配信エラー|メールが届きませんでした|メールエラー|エラー通知|"
    r"(?:配信|送信|配送)(?:でき|出来)ません|"
    r"не доставлено|nicht zustellbar|unzustellbar|non remis|non recapitabile",
    _I,
)

# Boilerplate MTA text that only appears in bounces (not in forwarded mail a person writes).
BODY = re.compile(
    r"this is the mail system at host|this is the qmail-send program|"
    r"i'?m afraid i wasn'?t able to deliver|"
    r"message was created automatically by mail delivery software|"
    r"could not be delivered to (?:one or more|all|the following|some)|"
    r"delivery (?:to the following recipients?|has failed to these recipients)|"
    r"did not reach (?:the following|some or all)|"
    r"the following (?:addresses|recipients?)(?:\(s\))? (?:had permanent|could not|failed|"
    r"was rejected|were rejected)|"
    r"following recipients? (?:was|were|is|are) (?:rejected|undeliverable|unreachable)|"
    r"unable to deliver (?:your|the) message|message could not be delivered|"
    r"sorry, we were unable to deliver|your message (?:was|could) not (?:be )?deliver|"
    r"permanent fatal errors|transcript of session follows|undelivered message|"
    r"delivery to the following recipient failed|technical details of (?:permanent|temporary)|"
    r"has not (?:yet )?been delivered|delivery attempts will continue|"
    r"your message (?:couldn'?t|can'?t) be delivered|the email account that you tried to reach|"
    r"returned to you|undeliverable message|message (?:not|wasn'?t) delivered|"
    r"your email could not be delivered|the message you sent .{0,40}could not|"
    r"error message below|could not be delivered to:|failed addresses follow|"
    r"created automatically by mail delivery system|"
    r"メールを配信(?:でき|出来)ませんでした|宛先に(?:届きませんでした|配送できませんでした)|"
    r"送信(?:でき|出来)ませんでした|配信に失敗|到達しませんでした|受信(?:拒否|できませんでした)",
    _I,
)

# Where the copy of the bounced mail starts in a text bounce.
ORIGINAL_START = re.compile(
    r"^[ \t>]*[-=_*#]{2,}.{0,10}(?:this is a copy of|below this line is a copy|"
    r"original message|begin original|undelivered message|returned message|"
    r"the (?:original )?(?:message|headers?) (?:follows|is|are|was)|unsent message|"
    r"message header|original headers|header of the original|bounced e-?mail)|"
    r"^[ \t]*(?:-{3,} )?(?:original message follows|the original message (?:is (?:attached|"
    r"included|below)|follows)|"
    r"unsent message below|below this line is a copy|------ This is a copy)|"
    r"^content-type: (?:message/rfc822|text/rfc822-headers)|"
    r"^[ \t]*(?:受信拒否|送信).{0,20}(?:メール|メッセージ)(?:の)?(?:ヘッダ|内容)",
    _I | re.MULTILINE,
)
# Fallback: the first block of two or more header lines is the returned mail.
HEADER_BLOCK = re.compile(
    r"^(?:return-path|received|message-id|x-[\w-]+|date|from|to|subject|mime-version):"
    r"[^\n]*\n(?:[ \t][^\n]*\n)*(?:[\w-]+:[^\n]*\n)",
    _I | re.MULTILINE,
)

ADDRESS = re.compile(
    r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?"
    r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+"
)
# Lines whose addresses are headers, hosts or ids, never the failed recipient.
SKIP_LINE = re.compile(
    r"^\s*(?:to|from|cc|sent|date|subject|reply-to|return-path|delivered-to|x-[\w-]+|received|"
    r"message-id|in-reply-to|references|reporting-mta|arrival-date|sender|envelope-from|"
    r"remote-mta|dkim-signature|mail from)\s*:",
    _I,
)
# SMTP enhanced status; the reply code in front of it is the most reliable one.
STATUS_AFTER_CODE = re.compile(r"(?<![\d.])[45]\d\d[ -]#?([245]\.\d{1,3}\.\d{1,3})(?![\d.]*\d)")
STATUS_ANY = re.compile(r"(?<![\w.])#?([45]\.\d{1,3}\.\d{1,3})(?![\w.]*\d)")
REPLY_CODE = re.compile(r"(?<![\w.:/-])([45][0-5]\d)(?=[ -][^\d]|[ -]?\d\.\d)")

_REASONS: list[tuple[str, str]] = [
    (
        "mailboxfull",
        r"mailbox (?:is )?full|(?:over|exceeded?|exceeds) (?:the |his |her |their )?"
        r"(?:storage |disk |mailbox )?(?:quota|storage allocation)|quota (?:exceeded|full)|"
        r"mailbox size limit|insufficient (?:disk )?space|not enough (?:storage|space)|"
        r"full mailbox|mailbox (?:has )?exceeded|out of storage|is over quota|"
        r"mail ?box (?:is )?(?:over|full)|容量(?:超過|オーバー|不足)|メールボックスがいっぱい",
    ),
    (
        "mesgtoobig",
        r"message (?:is )?too (?:big|large)|message size exceeds|exceeds (?:the )?"
        r"(?:maximum )?(?:message )?size|size limit (?:exceeded|reached)|message length exceeds|"
        r"message file too big|exceeded maximum size|サイズ(?:超過|制限|が大き)",
    ),
    (
        "rejected",
        r"sender address rejected|domain of sender|after mail from|sender verify fail|"
        r"mail from .{0,60}(?:rejected|refused)|unknown sender|envelope sender|"
        r"permission to post|purported responsible address|groups\.google\.com|send mail as",
    ),
    (
        "expired",
        r"(?<!account )(?<!mailbox )(?<!user )expired|retry time(?:out)? (?:not reached|"
        r"exceeded)|"
        r"could not be delivered (?:for|in|within) |delayed|still being retried|has not been "
        r"delivered|was not delivered within|queue (?:time|life)|retry timeout|"
        r"undeliverable for \d+|unable to deliver in \d+|message timed out|giving up|"
        r"could not deliver for|failed \d+ attempts|aborted after|"
        r"did not accept our requests to connect|host not reachable",
    ),
    ("hasmoved", r"has moved|address (?:has )?changed|no longer (?:valid|available at|at this)"),
    (
        "suspend",
        r"(?:account|mailbox|user|address)(?: has been| is|s are)? (?:temporarily )?"
        r"(?:disabled|suspended|deactivated|inactive|locked|expired|not active)|"
        r"is not active|\bis (?:disabled|suspended|deactivated)|account (?:is )?(?:on )?hold|"
        r"blocked account|利用停止|休止",
    ),
    (
        "userunknown",
        r"user(?: name)? (?:is )?unknown|unknown (?:user|recipient|local[- ]part|"
        r"mailbox|address|alias)|no such (?:user|mailbox|recipient|account|address|person|local)|"
        r"(?:recipient|user|mailbox|address|account)(?: name)?(?: \S+)? "
        r"(?:does not|doesn'?t|did not) exist|"
        r"(?:user|recipient|mailbox|account|address) (?:was |is )?(?:not found|unavailable|"
        r"invalid|not recognized|not known)|invalid (?:recipient|mailbox|address|user)|"
        r"not a valid (?:mailbox|user|recipient)|unrouteable address|addressee unknown|"
        r"bad (?:recipient|destination mailbox)|no mailbox (?:here|by that)|"
        r"recipient name is not recognized|does not have an? (?:\S+ )?account|not our customer|"
        r"user doesn'?t have|unknown or illegal alias|mailbox not found|address not present|"
        r"no account by that name|invalid final delivery userid|no valid recipients|"
        r"doesn't have a .{1,20} account|account that you tried to reach|"
        r"宛先(?:不明|が見つかりません)|存在しない|存在しません",
    ),
    (
        "hostunknown",
        r"host (?:or domain name )?(?:not found|unknown)|unknown host|"
        r"domain (?:not found|does not exist|name not found|is unknown)|name service error|"
        r"unrouteable (?:mail )?domain|host name lookup failure|"
        r"mx records point to non-existent|nxdomain|domain doesn't exist",
    ),
    (
        "norelaying",
        r"relay(?:ing)? (?:access )?(?:denied|not (?:allowed|permitted))|"
        r"not permitted to relay|unable to relay|we do not relay|relay not permitted|"
        r"relaying (?:mail )?to .{1,80} is not allowed|open relay",
    ),
    (
        "requireptr",
        r"reverse (?:dns|lookup|hostname)|ptr record|no ptr|\brdns\b|"
        r"cannot find your hostname|does not have a reverse|hostname lookup|not resolve .{0,30}ip",
    ),
    (
        "authfailure",
        r"\bspf\b|\bdkim\b|\bdmarc\b|sender authentication|not authenticated|"
        r"unauthenticated|authentication (?:check )?failed|sender policy framework",
    ),
    ("badreputation", r"reputation"),
    ("virusdetected", r"virus|malware|infected"),
    (
        "spamdetected",
        r"spam|junk mail|\bu[bc]e\b|bulk (?:e-?)?mail|looks like|message content rejected",
    ),
    (
        "blocked",
        r"blocked|black ?list|block ?list|deny ?list|listed (?:on|in|at)|\brbl\b|"
        r"spamhaus|client host .{0,60}(?:rejected|refused)|ip .{0,40}(?:rejected|refused)|"
        r"access denied|connection refused by|banned|not allowed to send|poor reputation",
    ),
    (
        "rejected",
        r"sender (?:address )?(?:rejected|refused|denied|verify failed|domain)|"
        r"domain of sender|mail from .{0,60}(?:rejected|refused)|unknown sender|"
        r"envelope sender|sender is not|from address",
    ),
    (
        "filtered",
        r"filter|rejected by (?:the )?(?:recipient|user)|refused by (?:the )?recipient|"
        r"recipient'?s? (?:settings|preferences)|受信拒否|拒否",
    ),
    (
        "policyviolation",
        r"polic(?:y|ies)|violat|prohibited|not allowed|not permitted|content presents a potential",
    ),
    ("failedstarttls", r"starttls"),
    (
        "securityerror",
        r"tls (?:is )?required|encryption required|must use (?:tls|ssl)|"
        r"insecure|authentication required|security",
    ),
    (
        "toomanyconn",
        r"too many (?:connections|concurrent|sessions)|connection limit|"
        r"concurrent connections",
    ),
    (
        "speeding",
        r"rate limit|too many (?:messages|mails|emails|recipients)|throttl|"
        r"sending rate|try again later",
    ),
    (
        "notaccept",
        r"does not accept (?:mail|e-?mail)|not accepting (?:mail|e-?mail)|null mx|"
        r"no mx (?:record )?found|find a mail exchanger|no mail exchanger|"
        r"accepts no mail",
    ),
    (
        "syntaxerror",
        r"syntax error|command (?:not )?(?:unrecognized|recognized)|"
        r"bad sequence of commands",
    ),
    (
        "contenterror",
        r"header (?:error|syntax)|illegal character|content (?:error|rejected)|"
        r"malformed",
    ),
    ("notcompliantrfc", r"rfc ?5322|rfc ?2822|not compliant"),
    ("systemfull", r"disk full|insufficient system storage|system storage"),
    ("mailererror", r"mailer error|command (?:failed|died)|x-unix;|program exited|procmail"),
    (
        "systemerror",
        r"system error|internal (?:server )?error|local (?:configuration )?error|"
        r"server error|temporary (?:failure|error)|mail loop|too many hops|loops back|"
        r"configuration error|server failure",
    ),
    (
        "networkerror",
        r"name service error|dns error|connection (?:timed out|refused|reset|closed)|"
        r"network (?:is )?unreachable|no route to host|lost connection|timed? ?out|"
        r"could not connect|unable to connect",
    ),
]
REASONS = [(name, re.compile(rx, _I)) for name, rx in _REASONS]

# Enhanced status code → reason, used only when no phrase matched.
STATUS_REASON = {
    "1.1": "userunknown",
    "1.0": "userunknown",
    "1.3": "userunknown",
    "1.2": "hostunknown",
    "1.6": "hasmoved",
    "1.7": "rejected",
    "1.8": "rejected",
    "1.10": "notaccept",
    "2.1": "suspend",
    "2.2": "mailboxfull",
    "2.3": "exceedlimit",
    "2.4": "systemerror",
    "3.0": "systemerror",
    "3.1": "systemfull",
    "3.2": "notaccept",
    "3.4": "mesgtoobig",
    "3.5": "systemerror",
    "4.0": "networkerror",
    "4.1": "networkerror",
    "4.3": "systemerror",
    "4.4": "hostunknown",
    "4.6": "networkerror",
    "4.7": "expired",
    "5.0": "syntaxerror",
    "6.0": "contenterror",
    "7.0": "securityerror",
    "7.1": "blocked",
    "7.7": "securityerror",
    "7.9": "securityerror",
    "7.13": "suspend",
    "7.23": "authfailure",
    "7.25": "requireptr",
    "7.26": "authfailure",
    "7.27": "notaccept",
}

# Reasons that mean the address itself is dead (sisimai's notion of a hard bounce).
HARD_REASONS = frozenset({"userunknown", "hostunknown", "hasmoved", "notaccept"})


_AFTER_DATA = re.compile(r"end of data|after data|>>> data|in reply to (?:end of )?data", _I)


def phrase_reason(text: str, status: str = "", action: str = "") -> str:
    """The reason named by the wording of `text`, "" when no phrase matches."""
    for name, rx in REASONS:
        if rx.search(text):
            if name == "expired" and status.startswith("5.") and action != "delayed":
                continue  # "expired" wording in a permanent failure is usually a quoted date
            return name
    return ""


def reason_for(texts: list[str], status: str = "", action: str = "") -> str:
    """The failure reason: successes first, then phrases (closest text first), then the status."""
    action = action.lower()
    if action in ("delivered", "relayed", "expanded") or status.startswith("2."):
        return "delivered"
    joined = " ".join(texts[:2])  # the diagnostic and the lines about this recipient
    for text in texts:
        found = phrase_reason(text, status, action) if text else ""
        if found == "userunknown" and not status.startswith("5.1.") and _AFTER_DATA.search(joined):
            # refused after the server accepted the recipient: the mailbox exists
            return "filtered"
        if found == "hostunknown" and status.startswith("4."):
            return "networkerror"  # a DNS failure that may heal
        if found == "networkerror" and status.startswith("4.") and action == "failed":
            return "expired"  # retried until the queue gave up
        if found:
            return found
    if action == "delayed":
        return "expired"
    if status:
        sub = status.split(".", 1)[1] if "." in status else ""
        if sub in STATUS_REASON:
            return STATUS_REASON[sub]
        return "onhold" if status.startswith("4.") else "undefined"
    return "undefined"


def is_hard_reason(reason: str, status: str = "", code: str = "") -> bool:
    """Whether the address should not be mailed again (a temporary 4.x.x never is)."""
    if status.startswith(("4.", "2.")) or code.startswith("4"):
        return False
    if reason == "notaccept":
        return status.startswith("5.") or code.startswith("5")
    return reason in HARD_REASONS
