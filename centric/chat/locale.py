"""What the bot and the chat pages say, in English and Chinese, and choosing the visitor's language."""

from __future__ import annotations

from centric.surveys.locale import LANGUAGE_NAMES, pick_locale

LANGUAGES = ["en", "zh"]

TEXTS: dict[str, dict[str, str]] = {
    "en": {
        # the bot's messages (stored in the transcript in the conversation's language)
        "ask_helpful": "Did this answer your question?",
        "helped": "Glad I could help! Is there anything else?",
        "not_helped": "Sorry about that. Could you ask it another way? Or talk to a person.",
        "abstain": "I'm sorry, I don't know the answer to that. Would you like to talk to a person?",
        "offer_declined": "All right. You can ask me something else.",
        "handoff": "I've passed our conversation to our team. A person will reply here.",
        "handoff_away": "I've passed our conversation to our team. They are away right now; "
                        "a person will reply here as soon as they are back.",
        "handoff_email": "If you leave your e-mail address, we can also reach you by e-mail.",
        "handoff_email_known": "We can also reach you by e-mail.",
        "email_noted": "Thank you, we noted {email}.",
        "closed_customer": "You ended the chat. Thank you!",
        "closed_agent": "Our team closed the chat. Thank you!",
        "closed_auto": "This chat was closed after a period of inactivity.",
        "survey": "How did we do? Please answer two quick questions.",
        "survey_by_email": "How did we do? We have sent you two quick questions by e-mail.",
        "read_more": "Read the full answer",
        "related": "Related questions",
        # the no-JavaScript page
        "title": "Chat with us", "intro": "Ask a question: our assistant answers from the help centre, "
                                           "and a person takes over when it cannot help.",
        "your_message": "Your message", "send": "Send", "yes": "Yes", "no": "No",
        "talk_to_person": "Talk to a person", "end_chat": "End chat", "new_chat": "Start a new chat",
        "your_email": "Your e-mail address (optional)", "leave_email": "Leave my e-mail",
        "you": "You", "bot": "Assistant", "agent": "Team", "system": "Chat",
        "answer_survey": "Answer the survey", "reload": "Reload to see new replies",
        "status_waiting": "Waiting for a person to reply", "status_closed": "This chat has ended.",
        "language": "Language", "skip": "Skip to the content", "help_centre": "Help centre",
        "too_long": "Please shorten your message to {max} characters.", "empty": "Please write a message.",
        "bad_email": "Please enter a valid e-mail address.",
        "forbidden_title": "This form cannot be used",
        "forbidden": "It expired or belongs to another chat. Please reload the page and try again.",
        "too_many_title": "Too many messages", "too_many": "Please wait a while before trying again.",
        "bad_request_title": "Something is missing", "bad_request": "Please use the form on the page.",
        "too_large_title": "Too much text", "too_large": "What you sent is too long. Please shorten it.",
        "back": "Back to the chat",
        "demo_title": "Harbour & Pine Hotels", "demo_intro": "A page of the hotel's website with the chat "
                                                             "widget: open it with the button at the bottom right.",
    },
    "zh": {
        "ask_helpful": "这个回答解决您的问题了吗？",
        "helped": "很高兴能帮到您！还有其他问题吗？",
        "not_helped": "抱歉。您可以换个说法再问一次，或者转人工客服。",
        "abstain": "抱歉，这个问题我还不知道答案。需要为您转接人工客服吗？",
        "offer_declined": "好的，您可以问我其他问题。",
        "handoff": "已为您转接我们的团队，工作人员会在这里回复您。",
        "handoff_away": "已为您转接我们的团队。他们现在不在线，回来后会第一时间在这里回复您。",
        "handoff_email": "留下您的电子邮件地址，我们也可以通过邮件联系您。",
        "handoff_email_known": "我们也可以通过电子邮件联系您。",
        "email_noted": "谢谢，我们已记下 {email}。",
        "closed_customer": "您已结束对话，谢谢！",
        "closed_agent": "我们的团队已结束对话，谢谢！",
        "closed_auto": "由于长时间没有消息，此对话已自动结束。",
        "survey": "请评价本次服务：只有两个简短的问题。",
        "survey_by_email": "请评价本次服务：我们已通过电子邮件发送了两个简短的问题。",
        "read_more": "查看完整回答",
        "related": "相关问题",
        "title": "在线咨询", "intro": "请提出您的问题：智能助手会根据帮助中心回答，无法解答时由工作人员接手。",
        "your_message": "您的消息", "send": "发送", "yes": "是", "no": "否",
        "talk_to_person": "转人工客服", "end_chat": "结束对话", "new_chat": "开始新的对话",
        "your_email": "您的电子邮件地址（选填）", "leave_email": "留下邮件地址",
        "you": "您", "bot": "智能助手", "agent": "客服", "system": "系统",
        "answer_survey": "填写问卷", "reload": "刷新页面查看新回复",
        "status_waiting": "正在等待工作人员回复", "status_closed": "此对话已结束。",
        "language": "语言", "skip": "跳到正文", "help_centre": "帮助中心",
        "too_long": "请将消息缩短到 {max} 个字符以内。", "empty": "请输入消息。",
        "bad_email": "请输入有效的电子邮件地址。",
        "forbidden_title": "此表单无法使用",
        "forbidden": "它已过期或属于其他对话。请刷新页面后重试。",
        "too_many_title": "消息过于频繁", "too_many": "请稍后再试。",
        "bad_request_title": "缺少内容", "bad_request": "请使用页面上的表单。",
        "too_large_title": "内容过长", "too_large": "您提交的内容过长，请缩短后再试。",
        "back": "返回对话",
        "demo_title": "海港松林酒店", "demo_intro": "酒店网站上带有聊天窗口的页面：点击右下角的按钮打开。",
    },
}


def choose_locale(requested: str | None, accept_language: str | None) -> str:
    """``?lang=`` first, else the best Accept-Language match, else English."""
    return pick_locale(LANGUAGES, requested, accept_language)


def texts(locale: str) -> dict[str, str]:
    return TEXTS.get(locale, TEXTS["en"])


def say(locale: str, key: str, **args: str) -> str:
    """One of the bot's sentences in ``locale`` (English for any other language)."""
    text = texts(locale)[key]
    return text.format(**args) if args else text


__all__ = ["LANGUAGES", "LANGUAGE_NAMES", "TEXTS", "choose_locale", "say", "texts"]
