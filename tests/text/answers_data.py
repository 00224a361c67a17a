"""A small hotel FAQ in English and Chinese for the answering engine's tests (written for them)."""

from __future__ import annotations

from centric.text.answers import Entry

HOTEL_EN = [
    Entry(1, "When is breakfast served?",
          ("what time is breakfast", "breakfast hours", "until when can I get breakfast",
           "is breakfast available early in the morning"),
          "Breakfast is served **from 6:30 to 10:30** in the lobby restaurant, until 11:00 on weekends.", "en"),
    Entry(2, "What time is check-out?",
          ("when do I have to leave my room", "latest check out time", "can I check out late"),
          "Check-out is at noon. Late check-out until 14:00 can be requested at the front desk.", "en"),
    Entry(3, "Do you have parking?",
          ("is there a car park", "where can I park my car", "how much does parking cost"),
          "Our underground garage costs 25 per night; guests with electric cars can charge for free.", "en"),
    Entry(4, "How do I connect to the wifi?",
          ("what is the wifi password", "internet is not working", "is the wireless free"),
          "Join the network *Hotel-Guest* and enter your room number and surname. Wi-Fi is free.", "en"),
    Entry(5, "Can I bring my dog?",
          ("are pets allowed", "is the hotel pet friendly", "can I stay with my cat"),
          "Dogs and cats up to 15 kg are welcome for a fee of 20 per night.", "en"),
    Entry(6, "Is there an airport shuttle?",
          ("how do I get from the airport to the hotel", "do you offer airport transfers"),
          "A shuttle leaves terminal 2 every 30 minutes between 6:00 and 23:00; book it at reception.", "en"),
    Entry(7, "How do I cancel my booking?",
          ("cancel reservation", "I need to cancel my stay", "is cancellation free"),
          "Cancel for free up to 48 hours before arrival from the link in your confirmation e-mail.", "en"),
    Entry(8, "Do you have a gym?",
          ("is there a fitness room", "where can I work out", "gym opening hours"),
          "The fitness room on floor 2 is open around the clock with your room key.", "en"),
]

HOTEL_ZH = [
    Entry(11, "早餐几点供应？", ("早餐时间是几点", "几点可以吃早饭", "早餐到几点结束"),
          "早餐在大堂餐厅供应，**6:30 至 10:30**，周末延长到 11:00。", "zh"),
    Entry(12, "几点退房？", ("最晚几点要退房", "可以延迟退房吗", "退房时间"),
          "退房时间为中午12点，可在前台申请延迟到下午2点。", "zh"),
    Entry(13, "酒店有停车场吗？", ("可以停车吗", "停车怎么收费", "车停在哪里"),
          "地下车库每晚25元，电动车可免费充电。", "zh"),
    Entry(14, "怎么连接无线网络？", ("wifi密码是多少", "上不了网怎么办", "无线网免费吗"),
          "连接 Hotel-Guest 网络，输入房号和姓氏即可，免费使用。", "zh"),
    Entry(15, "可以带宠物入住吗？", ("能带狗吗", "酒店允许宠物吗", "可以带猫住吗"),
          "欢迎15公斤以下的猫狗入住，每晚收费20元。", "zh"),
    Entry(16, "有机场班车吗？", ("从机场怎么到酒店", "提供接机服务吗"),
          "班车每30分钟从2号航站楼发车，运营时间6:00至23:00，请在前台预约。", "zh"),
]
