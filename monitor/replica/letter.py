"""The seed page: Amnesty International UK's blog post carrying an open letter to MPs.

"Stand Up for International Principles and Call on China to End Its Human
Rights Violations", with its signatories (organisations, then individuals) and
its Chinese part. The texts are the real ones, as copied from
www.amnesty.org.uk (see shared/data/amnesty-uk-blog-open-letter.txt); that
copy lost the list of asks after "by:" and most of the Chinese paragraphs, so
the replica serves what it kept. The page's chrome (header, nav, the "latest
posts", footer) is the replica's own, in `monitor.replica.pages`.
"""

from __future__ import annotations

PATH = "/blogs/yes-minister-it-human-rights-issue/stand-international-principles-and-call-china-end-its-human"
SITE_NAME = 'Amnesty International UK'
TITLE = 'Stand Up for International Principles and Call on China to End Its Human Rights Violations'
GREETING = 'Dear Members of Parliament,'
PARAGRAPHS = (
    'In October 2015, the President of the People’s Republic of China, Xi Jinping, will make an official State Visit to Britain. We, the undersigned, are calling on the UK government to uphold human rights principles and urge China to adhere to international protocols and conventions on human rights and end its gross human rights violations in Tibet, East Turkestan (Xinjiang) and across China.',
    'We ask you, as a member of parliament, to help us hold China to account over its human rights record by:',
    'After coming to power, Xi Jinping has been responsible for the forced disappearance and arbitrary detention of over 2,000 human right defenders in China, Tibet and East Turkestan. Almost all those jailed have suffered ill-treatment or torture.',
    'This past summer, the Chinese government began a clampdown on human rights lawyers and activists. Over 300 were detained, summoned for interrogation or intimidated. At least 23 lawyers and activists have disappeared into police custody.',
    'In July, revered Tibetan monk and political prisoner Tenzin Delek Rinpoche died in prison. Last year, at least five prisoners of conscience, including Chinese human rights activist Cao Shunli, died in custody or immediately after they were released from prison. No independent investigation has been undertaken into any of these deaths.',
    'In September 2014, Ilham Tohti was sentenced to life in prison for exercising his right to freedom of expression to promote equal rights for the Uyghur people.',
    'The Chinese Communist Party’s war on “extremists”, “separatists” and “terrorists” in Tibet, East Turkestan (Xinjiang) and throughout China has led to thousands of government-sponsored acts of torture and hundreds of extrajudicial killings. For example, in the past two years, Xi’s government has been responsible for the deaths of over 600 Uyhur civilians in East Turkestan. In Tibet, the repression by the authorities has been so severe that over 140 Tibetans have set themselves on fire in protest.',
    "Hong Kong has not escaped from Xi's harsh approach. After Beijing rejected proposals of democratic reform last year, the people of Hong Kong rose up in the largest street protest the city has ever seen. However, Xi’s government was unmoved by such defiance; and instead authorised the suppression of peaceful protests with a mix of police brutality, hired goons and court actions. Those injured by the police have not seen any redress and the political prosecution of protestors is still ongoing.",
    "Xi's government also endorses and helps perpetuate human rights abuses abroad. China has vetoed the UN draft resolutions which would have referred both North Korea and Syria to the International Criminal Court (ICC). The Chinese authorities have forcibly returned thousands of refugees back to North Korea where they have been severely punished and in some cases executed.",
    'We, the undersigned, urge you to take action and support measures which will bring real human rights to the people living under the Chinese Communist Party regime. Please help us defend and protect the principles of human rights, democracy and freedom, including universal suffrage, the rule of law, the right to self-determination, freedom of expression, freedom of assembly, freedom of association including functioning trade unions and political opposition, freedom of religion, and an open and independent media free from government censorship.',
)
ORGANISATIONS = (
    'Tibetan Uyghur Chinese Solidarity UK (TUCS)',
    'Chinese Solidarity Campaign',
    'Federation for a Democratic China',
    'Friends of Tiananmen Mothers',
    'Students for a Free Tibet UK',
    'Tibet Society',
    'Tibetan Community in Britain',
    'Tibetan Youth UK',
    'Uighur Association',
    'Uighur Community UK',
)
INDIVIDUALS = (
    'Padma Dolma, activist',
    'Rahima Mahmut, musician and activist',
    'Enver Tohti, activist',
    'Paul Golding, activist',
    'Stephen Ng, activist',
    'Zhang Yidong, historian',
    'Ma Jian, writer',
    'Mo Li, teacher',
    'Fu Zhengming, scholar',
    'Shao Jiang, activist',
)
CHINESE_HEADING = 'In Chinese (中文)'
CHINESE_PARAGRAPHS = (
    '我们请求各位议员采取以下措施, 对中国的人权记录实施问责:',
    '• 在与中国官员见面的任何场合, 提出人权问题;',
    '刚刚过去的夏季,中国当局严厉打压人权律师和活动人士。 大约300活动人士被拘留、传唤审问或被恐吓。至少有23名律师和活动人士在警方拘留后失踪。',
    '中国共产党在西藏、东土耳其斯坦和整个中国实施对“极端分子”、“分裂分子”、“恐怖分子”的战争,政府造成了数千到上万的酷刑案例和数百个法外处 决个案。例如,在过去的两年中,习近平的政府对在东土耳其斯坦超过600名维吾尔平民死亡负有责任。在西藏,由于当局严厉的镇压,超过140名藏人自焚抗 议。',
    '香港也没有逃脱习近平的镇压。去年北京拒绝民主改革的建议之后,香港人民举行了有史以来最大的街头抗议。 习的政府不仅对民意不为所动, 反而授权多种镇压方式,包括警察暴行、雇佣黑社会和法院诉讼。那些被警察打伤的示威者不仅没有得到任何补救措施,反而对示威者的政治起诉仍在进行中。',
    '我们在此签署请愿书,促使议会和政府采取上诉行动和措施,这将为居住在中国共产党政权统治下的人民带来真正的人权。请帮助我们捍卫和保护人权、民主 和自由原则,包括普选权、法治、自决的权利、言论自由、集会自由、结社自由(包括创建独立工会、行会,以及组织政治反对党)、宗教信仰自由,以及不受政府 审查开放和独立的媒体。',
)
CHINESE_SIGNATORIES = (
    '卓玛, 活动人士',
    '蕾曼西, 音乐家和活动人士',
    '安华托帝, 活动人士',
    '保罗·戈尔丁, 活动人士',
    '吴吕南, 活动人士',
    '张轶东, 历史学家',
    '茉莉, 教师',
    '邵江, 活动人士',
)
ABOUT_HEADING = 'About Amnesty UK Blogs'
ABOUT = 'Our blogs are written by Amnesty International staff, volunteers and other interested individuals, to encourage debate around human rights issues. They do not necessarily represent the views of Amnesty International.'
