"""Rule-based cues: customer effort, emotions and actionability, in English and Chinese.

Effort cues follow the Customer Effort Score literature (Dixon, Freeman & Toman 2010,
"Stop Trying to Delight Your Customers"): repeat contacts, transfers, repeating oneself,
several channels, long waits sat through, chasing without follow-up, resolutions long
overdue and hard processes. *Strong* cue kinds show effort on their own; *weak* ones
("still no…", "一直没…", "again and again") only together with another cue.

Emotions use a small hand-written lexicon per category in the spirit of the NRC Emotion
Lexicon (Mohammad & Turney 2013), restricted to the emotions that matter in customer
experience, plus *implicit* cues of service language: a strong effort cue ("third email
and still nothing", "转了好几次") also shows frustration, "why does this keep happening"
or "又掉线了" too. A cue preceded by a negation ("not disappointed", "没有失望") does not
count, and formulaic or sarcastic thanks ("…? Thanks", "thanks for nothing", "真的会谢")
is not gratitude. Labels and their definitions: docs/labelling-guideline.md; measured by
bench/bench_cues.py on hand-labelled service texts and TweetEval emotion.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

_N = r"(?:two|three|four|five|six|seven|eight|nine|ten|several|multiple|many|numerous|countless|\d+)"
_NTH = r"(?:second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|\d+(?:st|nd|rd|th))"
_SPAN = (r"(?:\d+\s*(?:hours?|hrs?|h)\b|(?:[2-9]\d|\d{3})\s*(?:minutes|mins?)\b|"
         r"(?:twenty|thirty|forty|fifty|ninety) (?:minutes|mins)\b|half an hour|an hour|"
         r"(?:two|three|four|five|several|many) hours|hours\b|ages\b|forever\b|all (?:day|morning|afternoon|night))")
_WAIT = r"(?:wait(?:ed|ing)?|on hold|queued|queue?ing|in (?:the|a|this) (?:queue|line|chat)|sat|sitting|stuck|spent)"
_CHANNEL = (r"(?:online|by phone|on the phone|over the phone|by e-?mail|"
            r"in (?:store|person|(?:the )?branch|(?:the )?chat)|by letter|"
            r"(?:on|via|through) the (?:app|website|web form))")
_LATE = (r"(?:\b(?:\d+|two|three|four|five|six|seven|eight|several|a few) (?:days?|weeks?|months?)\b|"
         r"\bsince (?:\d|last\b|jan|feb|mar|apr|may\b|jun|jul|aug|sep|oct|nov|dec|monday|tuesday|wednesday|thursday|"
         r"friday))")
_PENDING = (r"(?:still (?:no\b|not\b|nothing|waiting|pending|hasn't|haven't|have not|has not)|not (?:yet )?(?:been )?"
            r"(?:received|processed|arrived|refunded|fixed|resolved|sorted|paid)|no (?:response|reply|answer|callback|"
            r"call back|update|refund|word)|never (?:received|arrived|happened|got)|waiting (?:for|on)|unanswered|"
            r"hasn't changed|haven't heard|chasing)")
_REMEDY = r"(?:refund|reimbursement|compensation|replacement|repair|callback|call back|reply|response|claim)"
_EFFORT_EN = {
    "repeat_contact": (
        r"\b(?:call|called|calling|phoned|rang|emailed|contacted|chased|wrote|written|messaged|tried|visited|went back|"
        r"asked|told|explained|reported|sent|uploaded|submitted|raised|complained|filed|applied|requested|discussed|"
        r"rebooted|restarted|updated|updating|reset|re-?sent)"
        rf"(?:\W+\w+){{0,6}}?\W+(?:twice|{_N} times|{_N} different)|"
        rf"\b{_NTH} (?:email|e-mail|call|request|complaint|message|attempt|reminder|chaser|follow[- ]?up|letter|"
        r"ticket)\b|"
        rf"\b{_NTH} time (?:i'?m |i am |i have |i've |that i |we've |we have |we're )?(?:been )?"
        r"(?:contact|writ|call|email|e-mail|messag|ask|chas|complain|report|rais|in touch|reach|chat)|"
        rf"\b{_NTH} (?:month|week|day) (?:of )?(?:sending|calling|chasing|asking|trying|writing|emailing)|"
        r"\bfollow[- ]?up (?:x|#)\s?[2-9]|(?:\bre:\s*){2,}|\bevery time i (?:call|ring|phone|contact|email|chat|write)|"
        r"\b(?:call|chat|line) (?:was |got )?(?:disconnected|cut off)|"
        r"\b(?:got|get|getting|i was) (?:disconnected|cut off)\b|"
        r"\b(?:took|take|taken|taking) (?:a |the |\w+ )?(?:days?|mornings?|afternoons?) off|"
        rf"\b{_N} (?:calls|emails|e-mails|messages|attempts|visits|chats|tickets|complaints|requests|letters)\b"
    ),
    "had_to": (
        r"\b(?:had|have|having|needed) to (?:call|ring|phone|contact|chase|email|explain|repeat|go back|come back|"
        r"follow up|ask again|keep|fill|send|wait|drive|go in|visit)"
    ),
    "transferred": (
        r"\b(?:transferred|passed|bounced|handed|shuffled) "
        r"(?:around|back and forth|between|from|to (?:another|a different|\w+ different|you from))|"
        rf"\btransferred\b(?:\W+\w+){{0,2}}?\W+(?:{_N} times|twice|again)|\btransfer me again\b|"
        rf"\bto {_N} (?:different )?(?:people|agents|advisors|advisers|departments|teams)\b|"
        r"\bsays (?:to )?(?:contact|ask|call) the \w+.{0,40}says (?:to )?(?:contact|ask|call)"
    ),
    "on_hold": r"\bon hold\b|\bhold (?:for|music)\b",
    "repeat_self": (
        r"\brepeat(?:ed|ing)? (?:myself|my)|"
        r"\bexplain(?:ed|ing)? (?:it|the \w+|my \w+|everything|the whole thing) (?:all )?(?:again|over)|"
        r"\bstart(?:ed)? (?:all )?over|\bstart (?:again|from scratch)\b|"
        r"\balready (?:tried|done|did|sent|given|gave|explained|told|provided|uploaded|answered)\b|"
        r"\bevery (?:agent|advisor|person)\b[^.!?]{0,40}\bagain\b|\bsame documents\b"
    ),
    "still_waiting": r"\bstill (?:waiting|no\b|not\b|haven't|hasn't|have not|has not|nothing)",
    "long_wait": (
        r"\b(?:took|takes|taking|take) (?:forever|ages|hours|days|weeks)|"
        r"\bwait(?:ed|ing)? (?:for )?(?:over |more than |almost )?"
        rf"(?:an hour|hours|days|weeks|{_N} (?:minutes|mins|hours|days|weeks))|"
        rf"\b{_WAIT}\W+(?:\w+\W+){{0,6}}?(?:for )?(?:over |more than |almost |nearly )?{_SPAN}|"
        rf"\b{_SPAN}\W+(?:\w+\W+){{0,3}}?(?:on hold|in (?:the|a|this) (?:queue|line|chat)|on the phone|queue|waiting)|"
        r"\b(?:wait|queue|hold)(?:ing)? (?:time )?(?:was|is) (?:so |too |very )?long\b"
    ),
    "overdue": (
        rf"{_PENDING}[^.!?\n]{{0,60}}{_LATE}|{_LATE}[^.!?\n]{{0,60}}{_PENDING}|"
        rf"\b{_REMEDY}\b[^.!?\n]{{0,40}}\bstill (?:not|no\b|pending|waiting|hasn't|haven't)|"
        rf"\bstill (?:waiting|no sign) (?:for|of|on) (?:my|the|a|our|any) {_REMEDY}"
    ),
    "multi_channel": rf"\b{_CHANNEL},? (?:and |or |then )?{_CHANNEL}\b|\b(?:phone|call|email|chat), then\b",
    "hard_process": (
        r"\b(?:hard|difficult|impossible|confusing|complicated) to "
        r"(?:find|use|navigate|reach|contact|get|cancel|understand|speak)|"
        r"\bhoops\b|\bhassle\b|\b(?:so|too) many steps|\brun-?around\b|\bgoing (?:round |around )?in circles\b|"
        r"\bno way to (?:reach|contact|talk|speak|get hold)|\b(?:can't|cannot|couldn't|could not) (?:get through|"
        r"reach (?:a|anyone|anybody|a human|a person)|find (?:the|a|any) (?:contact|number|phone|way))|"
        r"\bloops? back\b|\bsends? me back to\b"
    ),
    "no_follow_up": (
        r"\b(?:no one|nobody|no-one)\b (?:ever )?(?:got back|replied|responded|answered|called|rang|helped|picked up|"
        r"contacted|came|showed up|turned up|bothered|knows|reads)|"
        r"\bnever (?:got back|replied|responded|heard back|called back|got a (?:reply|response)|happened|showed up|"
        r"came)|"
        r"\bunanswered\b|\bignored (?:my|every|all|our)\b|\bno[- ]show\b|\bmissed (?:the |my |our )?appointment\b|"
        r"\bno (?:response|reply|answer|callback|call back) (?:since|for|after|yet|at all)\b|"
        r"\ban? auto(?:matic|mated)?[- ]?(?:reply|response|email)\b|\bchas(?:ing|ed)\b|"
        r"\bchase (?:it|this|them|you|up|the|my)\b"
    ),
    "repeated": (
        r"\bagain and again\b|\bover and over\b|\byet again\b"
    ),
}
_C = r"[一二两三四五六七八九十百几多半\d]"
#: A count of two or more ("两", "三", "好几", "十几", "5"), never "一".
_K = r"(?:好|很)?[二两三四五六七八九十几多\d][一二两三四五六七八九十百几多\d]*"
_ZV = (r"(?:打|催|问|找|联系|跑|去|来|投诉|反馈|申诉|报修|留言|沟通|说|讲|发|申请|提交|寄|交|试|重启|重装|上传|咨询|"
       r"来信|来电)")
_ZCONTACT = r"(?:打|催|问|找|联系|投诉|反馈|申诉|报修|留言|咨询|跑)"
_EFFORT_ZH = {
    "transferred": (
        r"转了(?:好|很)?[几多两三四五]?[次个遍]|转来转去|转接了|踢皮球|推来推去|互相推|"
        rf"换了{_K}个(?:客服|人)|(?:说|让我)(?:去)?找[^,，。]{{1,6}}[,，][^。]{{0,10}}(?:说|让我)(?:去)?找|"
        rf"两边都说|(?:转人工|转)(?:转)?了{_K}次"
    ),
    "repeat_contact": (
        rf"{_ZV}(?:了|过)?(?:{_K}|无数)[次遍趟回]|打了{_K}(?:个|次)?电话|第{_K}次(?:{_ZV}|来信|来电|催)|第几次|"
        rf"又(?:在[^,，。]{{1,10}}?)?{_ZCONTACT}了?|多次(?:催|来电|投诉|反馈|联系|沟通|申请|打|找|询问)|"
        rf"被(?:驳回|拒绝|拒)了?{_K}次|每次(?:都说|都是|打电话|问|联系|找)|每个客服|催了|催单|催办|催促"
    ),
    "long_wait": (
        rf"等了(?:好|很)?(?:半天|好久|很久|{_C}+个?多?(?:小时|天|分钟|周|星期|月))|"
        r"(?:等|排队)(?:了)?(?:好|很)?久|"
        rf"排(?:了)?(?:队|号)(?:排)?了?{_C}+个?多?(?:小时|分钟|天)|排了{_C}+[天个]多?(?:小时)?号|"
        r"(?:坐|等|耗|打|试|排)了(?:整整)?(?:一|整|大半)?(?:个)?(?:上午|下午|晚上|整天|天)|"
        r"等待时间(?:太|很|特别|有点)?长|排队时间(?:太|很|特别|有点)?长"
    ),
    "still_waiting": r"(?:一直|还是|至今|到现在|迟迟|始终)(?:都)?(?:没|不|未)",
    "overdue": (
        r"(?:退款|退费|钱|款|理赔|赔付|维修|售后|工单|申请|留言|投诉|反馈|报修|回复|审核|处理|补发|回电)[^。!?]{0,12}?"
        rf"(?:{_C}+|半)个?多?(?:天|周|星期|礼拜|月)了?[,，]?(?:还|都|也|仍)?(?:是)?(?:没|未|不)|"
        r"(?:交|提交|申请|寄修|报修|留言|反馈|投诉|找了|退费|退款|理赔)[^,，。!?！？]{0,10}?"
        rf"(?:{_C}+|半)个?多?(?:天|周|星期|礼拜|月)|超时(?:了)?{_C}+[天周]|(?:{_C}+|半)个?(?:月|星期|礼拜)未到账|"
        r"(?:退款|退费|理赔|维修|售后|工单|投诉|报修|补发)[^。!?]{0,8}?(?:到现在|至今|迟迟|一直)(?:一直|还|都)?(?:没|未)"
    ),
    "repeated": r"反复|再三|一遍又一遍|三番五次",
    "multi_channel": (
        r"(?:网上|线上|电话|营业厅|门店|邮件|微信|app|小程序|柜台|客服)[、和及与,，]\s*(?:网上|线上|电话|营业厅|门店|邮件|"
        rf"微信|app|小程序|柜台)[^。]{{0,10}}(?:都|三个)|{_C}个渠道|又说要线上"
    ),
    "no_follow_up": (
        r"(?:没人|无人|没有人)(?:理|管|回|处理|接|联系)|不回复|没回复|没有回复|没下文|打不进去|打不通|占线|"
        r"电话不接|不回消息|(?:微信|消息)不回|联系不上(?:客服|商家|人)|转不过去|爽约|没来|没有任何人联系"
    ),
    "hard_process": (
        r"麻烦死|太麻烦|很麻烦|折腾|繁琐|手续复杂|流程复杂|找不到(?:人工|客服|入口|电话)|"
        rf"连续{_C}+[天周](?:都)?(?:没|未)|要本人去|跑营业厅"
    ),
    "repeat_self": (
        r"重复(?:说|解释|描述)|又要(?:我)?(?:说|解释|重新)|重新(?:说|讲|描述|解释|提交|填|申请|排队)|从头(?:讲|说|来)|"
        r"(?:全都|都|全部)(?:试|弄|做)过了|(?:上一个|刚才那个|之前的|上次的?)客服"
    ),
}
#: Kinds that show effort only together with another cue.
WEAK_KINDS = frozenset({"still_waiting", "repeated"})
_EASE = (
    r"\b(?:easy|effortless|hassle[- ]free|seamless|smooth|straightforward|quick and easy)\b|"
    r"\b(?:first|one) (?:call|contact)|很方便|方便快捷|简单方便|省心|一次就|很快就解决"
)

_EMOTIONS_EN = {
    "anger": (
        r"\bangry\b|\banger\b|\brevenge\b|\bthreat(?:en\w*)?\b|\bfurious\b|\bfury\b|\boutrag\w*|\blivid\b|\bfuming\b|\bpissed\b|\bridiculous\b|\bunacceptable\b|"
        r"\bdisgust\w*|\binfuriat\w*|\bhow dare\b|\brip[- ]?off\b|\bscam\w*|\bworst\b|\bappalling\b|\bdisgrace\w*|"
        r"\brage\b|\braging\b|\bhat(?:e|ed|ing)\b|\boffen(?:ded|sive)\b|\binsult\w*|\bbull(?:y|ied|ying)\b|"
        r"\bwtf\b|\bf+u+c+k\w*|\bshit\w*|\bbullshit\b|\bhorrible\b|\bawful\b|\bterrible\b|\bshocking\b|\bshameful\b|"
        r"\bpathetic\b|\bthe(?:ft|ives)\b|\bsteal(?:ing)?\b|\brobbery\b|\brobbing\b|\bliars?\b|\blies\b|\blying\b|"
        r"\bombudsman\b|\btrading standards\b|\blegal action\b|\bsue (?:you|them)\b|\bhung up on\b|"
        r"\bthink we(?:'re| are) stupid\b|\byou people\b|\bfraudsters?\b|\bresent\w*|\bmad (?:at|about)\b|\bso mad\b|"
        r"\bboiling\b"
    ),
    "frustration": (
        r"\bfrustrat\w*|\bannoy\w*|\bfed up\b|\bsick of\b|\btired of\b|\birritat\w*|\bhopeless\b|\buseless\b|"
        r"\bwaste of (?:time|money)|\bnightmare\b|\bugh+\b|\bgive up\b|\bgave up\b|\bhad enough\b|"
        r"\bwhat(?:'s| is) the point\b|\bpointless\b|\bseriously\?|\bcome on\b|\bsmh\b|\bepic fail\b|"
        r"\b(?:a|such a) joke\b|"
        r"\bkeeps? (?!up\b|in touch\b|it up\b)\w+ing\b|\bkeep happening\b|\bevery\.? single\b|\bnever on time\b|"
        r"\bstill (?:no\b|not\b|nothing|the same|broken|down|dead|waiting|pending|doesn't|don't|isn't|hasn't|"
        r"haven't|can't|won't|shows?)|\bsame (?:problem|issue|error|thing)\b|\bnope\b|\bnone of (?:them|it|these) "
        r"work|\b(?:no one|nobody) (?:knows|cares|reads|told|tells)\b|\bno (?:info|information|updates?|"
        r"explanation|communication)\b|\bzero (?:updates?|info|information|communication|help)\b|"
        r"\bagain\b"
    ),
    "confusion": (
        r"\bconfus\w*|\bdo(?:n't| not) understand\b|\bunclear\b|\bmakes? no sense\b|\bno idea (?:how|what|why|where)|"
        r"\bpuzzl\w*|\bnot sure (?:how|what|why|whether|if|where)|\bwhat does .{1,30} mean\b|\bwhich is it\b|"
        r"\bwhich one (?:is|should|do)\b|\b(?:didn't|doesn't|don't|does not|did not) make (?:any )?sense\b|"
        r"\bcan (?:someone|you|anyone) (?:please )?explain\b|\bwhy (?:am|was|have) i (?:been |being )?charged\b|"
        r"\bwhat does (?:that|this|it) (?:even )?mean\b"
    ),
    "disappointment": (
        r"\bdisappoint\w*|\blet ?down\b|\bexpected (?:more|better)\b|\bnot what (?:i|we) (?:expected|paid for)\b|"
        r"\bunderwhelm\w*|\bshame\b|\bsad\b|\bsadly\b|\bsadden\w*|\bsadness\b|\bregret\w*|\bunhappy\b|\bupset\b|"
        r"\bgutted\b|\bheartbr\w*|\bdepress\w*|\bmiserable\b|\bcrying\b|\btears\b|\bused to (?:be|love)\b|"
        r"\bnot worth\b|\bgone (?:downhill|down)\b|\bmeans nothing\b|\bnot the (?:level|quality|standard)\b|"
        r"\bgrie(?:f|v\w*)|\bmourn\w*|\bdespair\w*|\bgloom\w*|\blonely\b|\bsorrow\w*"
    ),
    "delight": (
        r"\blove[ds]?\b|\bamazing\b|\bawesome\b|\bfantastic\b|\bwonderful\b|\bexcellent\b|\bdelight\w*|\bthrilled\b|"
        r"\bimpressed\b|\bperfect\b|\bbrilliant\b|\bexceeded\b|\boutstanding\b|\bsuperb\b|\blovely\b|"
        r"\bbest \w+(?: \w+)? (?:i'?ve|ever)\b|\bbest (?:ever|experience)\b|\bgame[- ]changer\b|\ba treat\b|"
        r"\bunreal\b|\blegend\b|\b(?:you're|you are) a star\b|\bmade my day\b|\bhapp(?:y|ier|iness)\b|\bglad\b|"
        r"\bexcit(?:ed|ing)\b|\benjoy(?:ed|ing)?\b|\bhilarious\b|\bfun\b|\blaugh\w*|\bsmil(?:e|ed|es|ing)\b|"
        r"\bjoy\w*|\bcheer(?:ful|ing|ed)?\b|\byay+\b|\bplayful\b|\bglee\w*|\brejoic\w*|\bexhilarat\w*|\bhilari\w*"
    ),
    "gratitude": r"\bthank\w*|\bthx\b|\bgrateful\b|\bappreciat\w*|\bkudos\b",
    "worry": (
        r"\bworr(?:y|ied|ying)\b|\bconcerned\b|\banxious\b|\banxiety\b|\bnervous\b|\bscared\b|\bafraid\b|\bpanic\w*|"
        r"\bstress(?:ed|ful)\b|\bfreaking out\b|\bdread\w*|\bterrified\b|\bfrightened\b|\bfear(?:ful)?\b|\burgently\b|"
        r"\bis (?:this|it|my \w+) (?:really )?(?:safe|secure|legit|real)\b|"
        r"\bwill (?:i|we) (?:lose|miss|make|be charged)\b|"
        r"\b(?:i|we) (?:fly|leave|travel|need (?:it|them))\b[^.!?]{0,20}\b(?:tomorrow|tonight|today)\b|"
        r"\b(?:is|are) due (?:tomorrow|today)\b|\brun out (?:tomorrow|today)\b|\bcan't afford\b|"
        r"\b(?:i'?m|we'?re|i am|we are) stuck\b|\bhacked\b|\bwill they (?:hold|wait)\b"
    ),
}
_EMOTIONS_ZH = {
    "anger": (
        r"气死|生气|愤怒|恶心|垃圾|太过分|坑人|骗子|无良|火大|岂有此理|差劲|什么玩意|欺诈|12315|消协|霸王条款|套路|"
        r"破(?:质量|东西|服务|玩意|手机|网)|搞什么|凭什么|要饭|辱骂|骂人|合理吗|抢钱|黑心|坑爹|不要脸|流氓|缺德|欺负人|"
        r"忍无可忍|(?:非常|强烈|极其|十分)不满|强烈投诉|一问三不知|推说|恶劣|无耻|可恶|骗人|骗钱|吃相"
    ),
    "frustration": (
        r"(?<!麻)烦|无语|郁闷|崩溃|受不了|心累|浪费时间|醉了|服了|"
        r"又(?:超时|延误|迟到|掉线|坏|断|送错|出问题|是|不行|卡|晚|错|丢|扣|又)|还是(?:不行|没|一样|老样子|不能|打不开|用不了)|"
        r"每次都|第几次|没下文|然后呢|白说|算了|唉|哎|会谢|裂开|绝望|打不进去|转圈|老是|总是|到底(?:有没有|要|该|怎么|还)|"
        r"折腾|踢皮球|无奈|头大|心塞|闹心|糟心|搞半天"
    ),
    "confusion": (
        r"不明白|搞不懂|看不懂|不清楚|困惑|怎么回事|不知道(?:怎么|应该|该)|啥意思|什么意思|到底是.{1,15}还是|"
        r"(?:说的|说法)不一样|懵|什么费用|看不明白|搞不清|弄不懂|怎么算"
    ),
    "disappointment": (
        r"失望|后悔|遗憾|不如预期|可惜|心寒|寒心|扫兴|大不如前|不如以前|就这[?？]|配不上|不值|一年不如一年|打折扣|"
        r"白期待|名不副实|货不对板|失落|难过|伤心"
    ),
    "delight": (
        r"惊喜|超赞|太棒|很棒|完美|(?:非常|很|超|特别|十分|太)满意|喜欢|好评|爱了|开心|超级好|棒棒|太好了|给力|无可挑剔|"
        r"绝了|yyds|太香|真香|点赞|出乎意料地好|最好的|太舒服|特别好|(?:真的|太|超|好)好吃|(?:太|超|真)美"
    ),
    "gratitude": r"谢谢|感谢|多谢|辛苦(?:了|你|您|啦|大家)|感恩|谢啦",
    "worry": (
        r"担心|着急|害怕|焦虑|不放心|急死|很急|挺急|急用|[,，]急|急[!！]|慌|会不会|万一|不是我本人|心里没底|求快|救命|"
        r"等着(?:吃|用)|明天(?:一早)?(?:就要|的飞机|要用|出发)|联系不上他|盗刷|被盗"
    ),
}
#: The emotion names Centric reports.
EMOTIONS = tuple(_EMOTIONS_EN)
#: Emoji per emotion, looked up as characters (emoji in an alternation slow the regex engine down).
_EMOJI = {
    "anger": frozenset("😡🤬😠"),
    "frustration": frozenset("🙄😤🙃😩😫😑🤦"),
    "confusion": frozenset("🤔😕"),
    "disappointment": frozenset("😢😭😞😔☹🙁💔"),
    "delight": frozenset("😍🥰😊😁😃😄🎉❤💕👏🙌🤩🚀"),
    "worry": frozenset("😟😰😨😱😥"),
}
_NEGATED_EN = re.compile(r"(?:\bnot|n't|\bnever|\bno|\bwithout|\bhardly)\W+(?:\w+\W+)?$")
#: Effort is negated further away: "I didn't have to call twice".
_NEGATED_EFFORT = re.compile(r"(?:\bnot|n't|\bnever|\bno|\bwithout|\bhardly)\W+(?:\w+\W+){0,2}$")
_NEGATED_ZH = re.compile(r"(?:[不没别无未](?:有|太|很|是很|怎么|那么)?|一点(?:都|也)不)$")
#: Thanks that is not gratitude: in advance, for nothing, an "ok thanks" acknowledgement.
_NOT_THANKS = re.compile(
    r"\bthanks? (?:you )?(?:in advance|for nothing|a lot for nothing)|\btia\b|^\W*(?:ok(?:ay)?|k|alright|sure)\W+"
    r"(?:thanks|thank you|thx)\b")
#: A bare "thanks"/"谢谢" that only closes a request (see :func:`_formulaic_thanks`).
_BARE_THANKS = re.compile(r"(?:thanks|thank you|thx|many thanks|谢谢|多谢)(?:\s*[.!,。！]?\s*|\s+\w+\s*[.!]?\s*)$")
_ASKING = re.compile(r"\?|？|\bplease\b|\bcould you\b|\bcan you\b|\bwould you\b|请|麻烦|吗")
#: Strong effort kinds that also show (implicit) frustration.
_FRUSTRATING_KINDS = frozenset({"repeat_contact", "transferred", "repeat_self", "no_follow_up", "multi_channel",
                                "overdue", "on_hold", "long_wait"})

_REQUEST = re.compile(
    r"\bplease\b|\b(?:can|could|would|will) (?:you|someone|somebody|anyone)\b|"
    r"\bi (?:want|need|would like|demand|expect|request)\b(?: \w+){0,3} "
    r"(?:refund|replacement|answer|explanation|call ?back|"
    r"manager|someone|to speak|to cancel|money|compensation|response|fix)\b|"
    r"\b(?:call|contact|email|phone) me\b|\bget back to me\b|\bhow (?:do|can|should) i\b|\bwhat should i\b|"
    r"\bwhen will\b|\bwhere is my\b|\bwhy (?:was|is|did|have|has)\b|"
    r"请|麻烦(?:你|您)|希望(?:能|尽快|你们|商家)|要求|怎么(?:办|弄|处理)|尽快|给个说法|联系我|回电|为什么"
)
_CHURN = re.compile(
    r"\bcancel(?:l?ing)? my (?:account|subscription|membership|contract|plan)\b|\bclos(?:e|ing) my account\b|"
    r"\bswitch(?:ing)? to\b|\bnever (?:again|coming back|order(?:ing)? again|buy(?:ing)? again|use them again)\b|"
    r"\btake my business elsewhere\b|\bgo(?:ing)? elsewhere\b|\bwon't be (?:back|returning|coming back)\b|"
    r"再也不(?:买|来|点|用|会)|销户|注销|换一家|不会再(?:买|来|点|用)|拉黑"
)
#: "again" that is not a complaint: "never again" is caught by negation; these look forward to a repeat.
_HAPPY_AGAIN = re.compile(r"\b(?:thanks|thank you|will|would|'d|definitely|love to|can't wait to|happy to|"
                          r"(?:stay|fly|book|order|come|visit|use|buy) (?:\w+ )?)\s*$")


class _Table:
    """The cue patterns of one language, tried only where one of their *heads* occurs.

    A head is what a match must start with: for English a word or word stem ("frustrat"
    of ``\\bfrustrat\\w*``), for Chinese a character. Heads are read off the patterns
    once; a pattern whose start cannot be read is searched for everywhere. Python's ``re``
    tries every alternative at every position, so matching only at the positions of the
    heads (``pattern.match(text, pos)``, non-overlapping as ``finditer``) is what keeps a
    few hundred alternatives fast. All run on lower-cased text without ``re.I``
    (case-insensitive matching of non-ASCII text is several times slower in ``re``).
    """

    def __init__(self, table: dict[str, str], *, english: bool) -> None:
        self.english = english
        self.cues = tuple((name, re.compile(pattern)) for name, pattern in table.items())
        by_head: dict[str, list[int]] = {}
        self.everywhere = frozenset(i for i, p in enumerate(table.values()) if _heads(p, english) is None)
        for index, pattern in enumerate(table.values()):
            for head in _heads(pattern, english) or ():
                by_head.setdefault(head, []).append(index)
        self.by_head = {head: tuple(indexes) for head, indexes in by_head.items()}
        self.lengths = sorted({len(h) for h in by_head})
        self.head_chars = re.compile("[" + "".join(sorted(map(re.escape, by_head))) + "]") if not english else None
        self._word_cues: dict[str, tuple[int, ...]] = {}

    def cues_of_word(self, word: str) -> tuple[int, ...]:
        """Indexes of the cues with a head that ``word`` starts with (memoised: words recur)."""
        found = self._word_cues.get(word)
        if found is None:
            keys = [word, *(word[:k] for k in self.lengths if k < len(word))]
            if word[0].isdigit():
                keys.append("#d")
            found = tuple(sorted({i for key in keys for i in self.by_head.get(key, ())}))
            if len(self._word_cues) < 50_000:
                self._word_cues[word] = found
        return found

    def matches(self, lowered: str) -> list[tuple[str, re.Match[str]]]:
        """(cue name, match) for every match in ``lowered`` text, cue by cue."""
        starts: dict[int, list[int]] = {}
        if self.english:
            if _LATIN.search(lowered) is None:
                return []
            for token in _TOKEN.finditer(lowered):
                for index in self.cues_of_word(token.group()):
                    starts.setdefault(index, []).append(token.start())
        else:
            if lowered.isascii() or _HAN.search(lowered) is None or self.head_chars is None:
                return []
            for hit in self.head_chars.finditer(lowered):
                for index in self.by_head[hit.group()]:
                    starts.setdefault(index, []).append(hit.start())
        out: list[tuple[str, re.Match[str]]] = []
        for index in sorted(starts.keys() | self.everywhere):
            name, pattern = self.cues[index]
            if index in self.everywhere:
                out.extend((name, m) for m in pattern.finditer(lowered))
                continue
            end = -1
            for position in starts[index]:
                if position < end:
                    continue
                m = pattern.match(lowered, position)
                if m is not None and m.end() > position:
                    out.append((name, m))
                    end = m.end()
        return out


_LATIN = re.compile(r"[a-z]")
_TOKEN = re.compile(r"[a-z0-9]+")
_HAN = re.compile(r"[\u3400-\u9fff]")


def _alternatives(pattern: str) -> list[str]:
    """The top-level alternatives of a regular expression."""
    out, depth, current, i = [], 0, "", 0
    while i < len(pattern):
        c = pattern[i]
        if c == "\\":
            current += pattern[i:i + 2]
            i += 2
            continue
        if c == "[":
            close = pattern.index("]", i + 2)
            current += pattern[i:close + 1]
            i = close + 1
            continue
        depth += (c == "(") - (c == ")")
        if c == "|" and depth == 0:
            out.append(current)
            current = ""
        else:
            current += c
        i += 1
    return [*out, current]


def _group_end(pattern: str) -> int:
    """Index of the parenthesis closing the group that opens ``pattern``."""
    depth, i = 0, 0
    while i < len(pattern):
        c = pattern[i]
        if c == "\\":
            i += 2
            continue
        if c == "[":
            i = pattern.index("]", i + 2) + 1
            continue
        depth += (c == "(") - (c == ")")
        if depth == 0:
            return i
        i += 1
    raise ValueError(f"unbalanced pattern {pattern!r}")


def _heads(pattern: str, english: bool) -> frozenset[str] | None:
    """What every match of ``pattern`` starts with (see :class:`_Table`); None when unknown."""
    out: set[str] = set()
    for alternative in _alternatives(pattern):
        heads = _alternative_heads(alternative, english)
        if heads is None:
            return None
        out |= heads
    return frozenset(out)


def _alternative_heads(alt: str, english: bool) -> frozenset[str] | None:
    while alt.startswith(("\\b", "(?<")):
        alt = alt[2:] if alt.startswith("\\b") else alt[_group_end(alt) + 1:]
    if alt.startswith("(?:"):
        end = _group_end(alt)
        return None if _optional(alt, end + 1) else _heads(alt[3:end], english)
    if alt.startswith("["):
        chars = _class_chars(alt[1:alt.index("]", 2)])
        if chars is None or _optional(alt, alt.index("]", 2) + 1):
            return None
        if english:
            return frozenset({"#d"}) if chars <= set("0123456789") else None
        return frozenset(chars)
    if alt.startswith("\\d"):
        return frozenset({"#d"} if english else "0123456789")
    if english:
        word = re.match(r"#?([a-z0-9]*)", alt)
        head = word.group(1) if word else ""
        if word and head and _optional(alt, word.end()):
            head = head[:-1]
        return frozenset({head}) if head else None
    first = alt[:1]
    if not first or first in "\\()[]{}?*+|.^$" or _optional(alt, 1):
        return None
    return frozenset({first})


def _optional(pattern: str, at: int) -> bool:
    """Whether a quantifier at ``at`` makes the item before it optional."""
    return pattern[at:at + 1] in ("?", "*") or pattern[at:at + 2] == "{0"


def _class_chars(body: str) -> frozenset[str] | None:
    """The characters of a simple character class; None for negated classes and ranges."""
    if body.startswith("^"):
        return None
    for low, high in re.findall(r"(.)-(.)", body):
        if ord(high) - ord(low) > 64:
            return None
        body = body.replace(f"{low}-{high}", "".join(map(chr, range(ord(low), ord(high) + 1))))
    chars = set(body.replace("\\d", ""))
    if "\\d" in body:
        chars |= set("0123456789")
    return None if "\\" in chars else frozenset(chars)


@dataclass(frozen=True, slots=True)
class EffortCue:
    """A phrase signalling customer effort: its kind and matched text."""

    kind: str
    text: str
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Effort:
    """Effort signals of a text: ``score`` in [0, 1] and ``high`` when cues are clear."""

    score: float
    high: bool
    cues: tuple[EffortCue, ...]
    ease: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Emotion:
    """One detected emotion with an intensity in (0, 1] and the terms that showed it."""

    name: str
    intensity: float
    terms: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Actionability:
    """Whether a text needs a reply: reasons among "request", "complaint", "churn_risk"."""

    actionable: bool
    reasons: tuple[str, ...]


_EFFORT_TABLES = (_Table(_EFFORT_EN, english=True), _Table(_EFFORT_ZH, english=False))
_EMOTION_TABLES = (_Table(_EMOTIONS_EN, english=True), _Table(_EMOTIONS_ZH, english=False))
_EASE_RE = re.compile(_EASE)


@lru_cache(maxsize=64)
def _effort_cues(text: str) -> tuple[EffortCue, ...]:
    """Effort cues of ``text`` (cached: :func:`detect_emotions` reuses those of :func:`detect_effort`)."""
    lowered = _lower(text)
    same = len(lowered) == len(text)
    cues = []
    for table in _EFFORT_TABLES:
        for kind, m in table.matches(lowered):
            if m.group().strip() and not (kind != "still_waiting" and _negated(lowered, m.start(), _NEGATED_EFFORT)):
                shown = text[m.start():m.end()] if same else m.group()
                cues.append(EffortCue(kind, shown, m.start(), m.end()))
    cues.sort(key=lambda c: c.start)
    return tuple(cues)


def detect_effort(text: str) -> Effort:
    """Effort cues in cleaned ``text``.

    score = 1 - 0.5^k, where k counts each distinct strong cue kind as 1 and each weak
    kind (:data:`WEAK_KINDS`) as ½, halved when ease cues ("easy", "一次就") are present;
    ``high`` when score ≥ 0.5, i.e. one strong kind or two weak ones.
    """
    cues = _effort_cues(text)
    lowered = _lower(text)
    ease = tuple(m.group() for m in _EASE_RE.finditer(lowered) if not _negated(lowered, m.start()))
    k = sum(0.5 if kind in WEAK_KINDS else 1.0 for kind in {c.kind for c in cues})
    score = 1 - 0.5**k
    if ease:
        score *= 0.5
    return Effort(round(score, 3), score >= 0.5, cues, ease)


def detect_emotions(text: str) -> tuple[Emotion, ...]:
    """Emotions shown in cleaned ``text``, strongest first; negated cues are ignored.

    Besides each emotion's lexicon (words and emoji), a strong effort cue of a
    frustrating kind (repeat contact, transfers, no follow-up …) counts as a
    frustration term unless the text is already angry.
    """
    lowered = _lower(text)
    terms_of: dict[str, list[str]] = {}
    for table in _EMOTION_TABLES:
        for name, m in table.matches(lowered):
            if not _negated(lowered, m.start()) and _counts(name, lowered, m):
                terms_of.setdefault(name, []).append(m.group())
    if not text.isascii():
        present = set(text)
        for name, emoji in _EMOJI.items():
            if not present.isdisjoint(emoji):
                terms_of.setdefault(name, []).extend(sorted(present & emoji))
    implicit = [c.text for c in _effort_cues(text) if c.kind in _FRUSTRATING_KINDS]
    if implicit and "anger" not in terms_of:
        terms_of.setdefault("frustration", []).extend(implicit)
    bangs = min(text.count("!") + text.count("！"), 3)
    found = [Emotion(name, round(min(1.0, 0.5 + 0.2 * (len(terms) - 1) + 0.1 * bangs), 2), tuple(terms))
             for name, terms in terms_of.items()]
    return tuple(sorted(found, key=lambda e: (-e.intensity, e.name)))


def _lower(text: str) -> str:
    return text.lower()


def _counts(name: str, text: str, m: re.Match[str]) -> bool:
    """Filters for terms that are often not the emotion: formulaic thanks, a hopeful "again"."""
    if name == "gratitude":
        return _NOT_THANKS.search(text) is None and not _formulaic_thanks(text, m)
    if name == "frustration" and m.group().lower() == "again":
        return _HAPPY_AGAIN.search(text[max(0, m.start() - 24):m.start()]) is None
    return True


def _formulaic_thanks(text: str, m: re.Match[str]) -> bool:
    """A bare "Thanks"/"谢谢" closing a question or request is politeness, not gratitude."""
    tail = _BARE_THANKS.match(text, m.start())
    return tail is not None and _ASKING.search(text[:m.start()]) is not None


def _negated(text: str, start: int, english: re.Pattern[str] = _NEGATED_EN) -> bool:
    """Whether a negation just precedes ``start`` in lower-cased ``text``."""
    before = text[max(0, start - 24) : start]
    if not before:
        return False
    if before.isascii():
        return bool(english.search(before))
    return bool(_NEGATED_ZH.search(before)) or bool(english.search(before))


def assess_actionability(
    text: str, sentiment_score: float | None, effort: Effort, emotions: tuple[Emotion, ...]
) -> Actionability:
    """A complaint (clearly negative, or negative with effort/anger/frustration), a request or a churn threat."""
    reasons = []
    if _REQUEST.search(text):
        reasons.append("request")
    angry = any(e.name in ("anger", "frustration") for e in emotions)
    if sentiment_score is not None and (
        sentiment_score <= -0.5 or (sentiment_score < -0.2 and (effort.high or angry))
    ):
        reasons.append("complaint")
    elif effort.high and (sentiment_score is None or sentiment_score < 0.3):
        reasons.append("complaint")
    if _CHURN.search(text):
        reasons.append("churn_risk")
    return Actionability(bool(reasons), tuple(reasons))
