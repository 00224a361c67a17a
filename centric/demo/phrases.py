"""What guests say about each touchpoint, in English and Chinese.

``ASPECTS[touchpoint][tone][language]`` lists clauses (lower case, no final stop) that
the comment writer places into frames; ``{placeholders}`` are filled with details
(minutes waited, amounts, hotel, staff names) so that no two comments need be alike.
"""

from __future__ import annotations

Aspects = dict[str, dict[str, dict[str, tuple[str, ...]]]]

ASPECTS: Aspects = {
    "website": {
        "neg": {"en": ("the website kept timing out when I searched for dates",
                       "the prices on the website changed between search and checkout",
                       "the hotel photos online are clearly years old",
                       "I couldn't find the cancellation policy anywhere on the site"),
                "zh": ("官网搜索日期的时候一直卡住", "官网上的价格和结账时不一样", "网站上的照片明显是好几年前的",
                       "官网上找不到取消政策")},
        "pos": {"en": ("the website made it easy to compare rooms", "the room photos online were accurate",
                       "the neighbourhood guide on the website was genuinely useful"),
                "zh": ("官网很方便比较房型", "网站上的照片和实际一样", "官网的周边攻略很实用")},
    },
    "social-media": {
        "neg": {"en": ("nobody replied to my message on social media",
                       "the offer advertised on Instagram wasn't honoured"),
                "zh": ("微博私信一直没人回复", "微博上宣传的优惠到店不认")},
        "pos": {"en": ("the social media team answered within minutes", "the Instagram offer was a lovely surprise"),
                "zh": ("微博客服回复很快", "在微博上抢到的优惠很划算")},
    },
    "web-booking": {
        "neg": {"en": ("the new booking site charged my card twice", "the booking page crashed at the payment step",
                       "my booking confirmation never arrived", "the booking system lost my reservation",
                       "I had to try {n} times before the online booking went through",
                       "the new booking website is confusing and slow"),
                "zh": ("新的预订系统扣了我两次款", "网上预订付款的时候页面崩溃了", "一直没收到预订确认邮件",
                       "预订系统把我的订单弄丢了", "试了{n}次才在网上订成功", "新的订房网站又慢又难用")},
        "pos": {"en": ("booking online took less than two minutes", "the online booking was simple and clear",
                       "the best rate was guaranteed on the website"),
                "zh": ("网上预订两分钟就搞定了", "在线预订流程简单清楚", "官网价格最优惠")},
    },
    "app-booking": {
        "neg": {"en": ("the app logged me out in the middle of booking", "the app showed rooms that were not available",
                       "after the update the app wouldn't load my reservations"),
                "zh": ("订房的时候App把我强制退出了", "App显示有房但其实已经满了", "更新以后App打不开我的订单")},
        "pos": {"en": ("the app is quick and remembers my preferences", "booking in the app was effortless",
                       "mobile check-in through the app saved a lot of time"),
                "zh": ("App很好用，还记得我的偏好", "用App订房非常方便", "用App提前办理入住节省了很多时间")},
    },
    "reservations-call": {
        "neg": {"en": ("I waited {minutes} minutes for reservations to pick up",
                       "the reservations agent gave me the wrong rate"),
                "zh": ("订房电话等了{minutes}分钟才接通", "订房客服报错了价格")},
        "pos": {"en": ("the reservations team found us a better room",
                       "{staff_en} on the reservations line was very patient"),
                "zh": ("订房客服帮我们找到了更好的房间", "订房热线的{staff_zh}非常耐心")},
    },
    "check-in": {
        "neg": {"en": ("check-in took over {minutes} minutes", "there was only one receptionist for a long queue",
                       "our room wasn't ready until {time}", "the front desk staff were rude",
                       "they had no record of our connecting rooms at check-in",
                       "the key cards stopped working twice"),
                "zh": ("办理入住等了{minutes}分钟", "前台只有一个人在办理入住", "房间到{time_zh}还没准备好",
                       "前台服务态度差", "入住时说没有我们订的连通房", "房卡失灵了两次")},
        "pos": {"en": ("check-in was quick and friendly", "{staff_en} at reception made us feel welcome",
                       "we were upgraded at check-in", "the express check-in worked perfectly"),
                "zh": ("入住办理又快又热情", "前台的{staff_zh}非常热情", "入住时给我们免费升级了房间",
                       "快速入住非常顺利")},
    },
    "housekeeping": {
        "neg": {"en": ("the room was not properly cleaned", "the towels were never replaced",
                       "there was hair in the bathroom", "housekeeping ignored the do-not-disturb sign",
                       "our room wasn't made up until {time}", "we asked for an extra bed and it never came",
                       "the cot for our baby was dirty"),
                "zh": ("房间不干净", "毛巾一直没有更换", "卫生间里有头发", "挂了请勿打扰牌还是有人敲门",
                       "房间到{time_zh}都没打扫", "要了加床一直没送来", "婴儿床不干净")},
        "pos": {"en": ("the room was spotless", "housekeeping was discreet and thorough",
                       "the turndown service was a lovely touch",
                       "they set up the extra beds for the kids straight away"),
                "zh": ("房间非常干净", "客房服务细致周到", "晚间开床服务很贴心", "很快就给孩子加好了床")},
    },
    "room": {
        "neg": {"en": ("the room was very noisy from the street", "the air conditioning rattled all night",
                       "the shower was lukewarm at best", "the room was much smaller than in the photos",
                       "the bed was uncomfortable"),
                "zh": ("房间很吵，隔音太差", "空调一整晚都在响", "洗澡水不够热", "房间比照片上小很多", "床睡着不舒服")},
        "pos": {"en": ("the bed was incredibly comfortable", "the view from room {room} was stunning",
                       "the room was quiet and well designed", "the rain shower was wonderful"),
                "zh": ("床特别舒服", "{room}房间的景色太美了", "房间安静，设计也很好", "淋浴非常舒服")},
    },
    "breakfast": {
        "neg": {"en": ("breakfast was overpriced for what it was", "the breakfast buffet ran out of food by 9",
                       "we waited {minutes} minutes for a table at breakfast",
                       "there were hardly any Asian options at breakfast"),
                "zh": ("早餐太贵了，不值这个价", "九点早餐就没什么吃的了", "早餐排队等位等了{minutes}分钟",
                       "早餐几乎没有中式选择")},
        "pos": {"en": ("breakfast was excellent", "the restaurant staff remembered our coffee order",
                       "the dim sum at breakfast was a treat", "the kids loved the pancake station"),
                "zh": ("早餐很丰盛", "餐厅服务员记得我们喝什么咖啡", "早餐的点心很地道", "孩子们很喜欢早餐")},
    },
    "concierge": {
        "neg": {"en": ("the concierge booked the wrong restaurant", "the concierge desk was never staffed"),
                "zh": ("礼宾部订错了餐厅", "礼宾台总是没人")},
        "pos": {"en": ("the concierge found us a table at a fully booked restaurant",
                       "{staff_en} the concierge planned a perfect day for us",
                       "the concierge arranged a surprise for our anniversary"),
                "zh": ("礼宾帮我们订到了很难订的餐厅", "礼宾部的{staff_zh}帮我们安排了完美的行程",
                       "礼宾为我们的纪念日准备了惊喜")},
    },
    "wifi": {
        "neg": {"en": ("the Wi-Fi kept dropping during my video calls", "the Wi-Fi was far too slow to work",
                       "I had to log in to the Wi-Fi again every day"),
                "zh": ("Wi-Fi总是掉线，开视频会议很麻烦", "网速太慢了，根本没法工作", "每天都要重新登录Wi-Fi")},
        "pos": {"en": ("the Wi-Fi was fast and reliable", "the Wi-Fi was fast enough for video calls"),
                "zh": ("Wi-Fi又快又稳定", "网速很快，开视频会议没问题")},
    },
    "check-out": {
        "neg": {"en": ("check-out took ages because of a billing query",
                       "there was nobody at the desk to check us out"),
                "zh": ("退房因为账单问题拖了很久", "退房时前台没人")},
        "pos": {"en": ("check-out took a minute", "they stored our luggage after check-out",
                       "late check-out was arranged without any fuss"),
                "zh": ("退房一分钟就办好了", "退房后还帮我们寄存了行李", "很爽快地同意了延迟退房")},
    },
    "billing": {
        "neg": {"en": ("I was charged twice for the room", "the minibar charges on my bill were wrong",
                       "the deposit of £{amount} was never released", "the final bill had charges I didn't recognise",
                       "the invoice for my company was wrong and took {days} days to correct"),
                "zh": ("房费被重复扣了两次", "账单上的迷你吧费用不对", "押金{amount_cny}元一直没退",
                       "账单上有莫名其妙的费用", "公司发票开错了，改了{days}天才改好")},
        "pos": {"en": ("the bill was clear and correct", "the invoice arrived by e-mail straight away"),
                "zh": ("账单清楚准确", "电子发票马上就发过来了")},
    },
    "post-stay-email": {
        "neg": {"en": ("I keep getting marketing e-mails after unsubscribing",
                       "the post-stay e-mail asked me to review the wrong hotel"),
                "zh": ("退订了还一直收到营销邮件", "离店后的邮件让我评价另一家酒店")},
        "pos": {"en": ("the follow-up e-mail was personal and thoughtful",
                       "the thank-you note after our stay was a nice touch"),
                "zh": ("离店后的回访邮件很贴心", "离店后收到的感谢信很有心")},
    },
    "loyalty": {
        "neg": {"en": ("my loyalty points from the last {nights} nights never showed up",
                       "my platinum benefits were not recognised",
                       "the points expired without any warning"),
                "zh": ("最近{nights}晚的积分一直没到账", "白金会员权益没有兑现", "积分过期前没有任何提醒")},
        "pos": {"en": ("the loyalty programme really rewards frequent stays", "my points paid for a whole weekend",
                       "the team always recognises my status"),
                "zh": ("会员积分很实用，常住很划算", "用积分换了一个周末的免费住宿", "每次入住都能享受到会员待遇")},
    },
    "support-phone": {
        "neg": {"en": ("I was on hold for {minutes} minutes", "I was transferred {n} times and still had no answer",
                       "the agent hung up on me", "nobody called me back as promised"),
                "zh": ("客服电话等了{minutes}分钟", "电话被转了{n}次还是没解决", "客服直接挂了我电话",
                       "说好回电话，结果没人回")},
        "pos": {"en": ("{staff_en} on the phone solved everything in one call", "the phone agent was calm and helpful"),
                "zh": ("电话客服{staff_zh}一次就帮我解决了", "电话客服很耐心，也很专业")},
    },
    "live-chat": {
        "neg": {"en": ("the chat bot kept sending me in circles", "the chat agent disconnected before solving anything",
                       "I had to repeat my booking number {n} times in the chat"),
                "zh": ("在线客服机器人一直答非所问", "在线客服还没解决就断开了", "在线客服让我重复报了{n}次订单号")},
        "pos": {"en": ("the chat agent sorted it out in minutes", "live chat was fast and friendly"),
                "zh": ("在线客服几分钟就搞定了", "在线客服回复又快又友好")},
    },
    "support-email": {
        "neg": {"en": ("nobody answered my e-mail for {days} days",
                       "I got a copy-and-paste reply that ignored my question"),
                "zh": ("发了邮件{days}天都没人回复", "邮件回复是模板，根本没回答我的问题")},
        "pos": {"en": ("they replied to my e-mail the same day", "the e-mail reply answered every question"),
                "zh": ("邮件当天就回复了", "邮件回复很详细，问题都解答了")},
    },
    "refunds": {
        "neg": {"en": ("my refund of £{amount} still hasn't arrived after {days} days",
                       "they refused to refund a booking I cancelled in time",
                       "I had to chase my refund {n} times"),
                "zh": ("{amount_cny}元的退款{days}天了还没到账", "按时取消了订单却不给退款", "退款催了{n}次才处理")},
        "pos": {"en": ("the refund was processed within a day", "they refunded the double charge without any argument"),
                "zh": ("退款一天就到账了", "重复扣的钱很快就退回来了")},
    },
}

STAFF_EN = ("Li Na", "Tom", "Priya", "Marco", "Sophie", "Wei", "James", "Aisha", "Daniel", "Mei")
STAFF_ZH = ("小李", "王先生", "陈小姐", "小张", "刘经理", "小周", "赵小姐")
TIMES_EN = ("4pm", "5pm", "6pm", "half past five", "nearly 7pm")
TIMES_ZH = ("下午四点", "下午五点", "晚上六点", "快七点")

# Frames: how a clause becomes a comment. {a} is the aspect, {b} a second aspect.
FRAMES = {
    "neg": {
        "en": ("{A}. {consequence}", "Really disappointed: {a}. {consequence}", "{A}, and nobody apologised.",
               "Stayed {nights} nights at {hotel}. {A}. {consequence}", "Not good enough. {A}.",
               "{A}. {A2}. {consequence}", "{A} — not what I expect from {company}.",
               "{A}. {ask}", "Honestly, {a}. {consequence}"),
        "zh": ("{a}，{consequence}", "太失望了，{a}。", "在{hotel_zh}住了{nights}晚，{a}。{consequence}",
               "{a}，{a2}。{consequence}", "{a}，完全不像{company_zh}的水平。", "{a}。{ask}",
               "说实话，{a}，{consequence}"),
    },
    "mixed": {
        "en": ("{B}, but {a}.", "Overall fine. {A}, though {b}.", "{B}. Only complaint: {a}.",
               "Mixed feelings — {b}, but {a}.", "{A}. On the plus side, {b}."),
        "zh": ("{b}，但是{a}。", "总体还可以，就是{a}。", "{b}，唯一的问题是{a}。", "有好有坏，{b}，不过{a}。"),
    },
    "pos": {
        "en": ("{A}! {praise}", "{A}. {praise}", "Lovely stay at {hotel} — {a}.", "{A} and {a2}. {praise}",
               "Great experience: {a}.", "{A}. {A2}. {praise}", "As always, {a}. {praise}"),
        "zh": ("{a}，{praise}", "在{hotel_zh}住得很舒服，{a}。", "{a}，{a2}。{praise}", "体验很好，{a}。",
               "一如既往，{a}，{praise}"),
    },
}
CONSEQUENCES = {
    "en": ("I won't be booking again.", "We will look elsewhere next time.", "It spoiled the trip.",
           "For the price, this is unacceptable.", "I expected better.", "Very frustrating.", ""),
    "zh": ("下次不会再来了。", "希望尽快改进。", "这个价格真的不值。", "体验很差。", "非常影响心情。",
           "太让人失望了。"),
}
ASKS = {
    "en": ("Please sort this out.", "Can someone get back to me?", "Please look into it.", "I'd like a response."),
    "zh": ("请尽快处理。", "希望有人联系我。", "请给个说法。"),
}
PRAISE = {
    "en": ("Will definitely be back.", "Thank you!", "Highly recommend.", "Keep it up.",
           "Best hotel group we've used.", "Made our trip.", ""),
    "zh": ("下次还会再来！", "强烈推荐！", "非常满意。", "谢谢！", "给个五星好评。", "点赞！"),
}
TICKET_OPENERS = {"en": ("Hi, ", "Hello, ", "Dear team, ", "", "Hi there — "), "zh": ("您好，", "你好，", "",
                                                                                      "客服你好，")}
TICKET_CLOSERS: dict[str, dict[str, tuple[str, ...]]] = {
    "neg": {"en": ("Booking ref {ref}.", "Please refund the difference.", "Can someone call me back?",
                   "Reservation {ref} — please help.", "Booking {ref}. Thanks."),
            "zh": ("订单号{ref}。", "请尽快退款。", "麻烦给我回个电话。", "订单{ref}，请帮忙处理。", "谢谢。")},
    "pos": {"en": ("Just wanted to say thank you.", "Please pass on my thanks to the team.",
                   "Booking {ref} — great job."),
            "zh": ("特地来表示感谢。", "请替我谢谢你们的团队。", "订单{ref}，非常满意。")},
}
CALL_NOTES = {
    "en": ("Caller reports {a}. {action}", "Guest called: {a}. {action}", "Inbound call — {a}. {action}"),
    "zh": ("客户来电反映{a}，{action}", "客人致电：{a}。{action}"),
}
CALL_ACTIONS = {
    "en": ("Escalated to the hotel manager.", "Refund of £{amount} approved.", "Promised a call-back within 24h.",
           "Apologised and added 2,000 points.", "Logged a case for the duty manager."),
    "zh": ("已升级给酒店经理。", "已批准退款{amount_cny}元。", "承诺24小时内回电。", "已致歉并补偿2000积分。"),
}
SOCIAL_TAGS = {
    "neg": {"en": ("#customerservice", "#fail", "#disappointed", ""), "zh": ("#港松酒店#", "#避雷#", "#酒店#")},
    "pos": {"en": ("#travel", "#hotel", "#staycation", "#happyguest", ""), "zh": ("#港松酒店#", "#出差#", "#旅行#",
                                                                                  "#种草#")},
}
