"""The seed petition 221342, "Put pressure on the Chinese Government over the treatment of Uyghur Muslims".

The texts (action, background, additional details, the response's summary and
full text) are the real ones, copied from petition.parliament.uk (see
shared/data/uk-parliament-petition-uyghur.txt); only the links the page showed
inside the response were lost in that copy, which left "( which" twice.
The times are the real ones of the petition's own JSON (a public dump of the
site, December 2018; see shared/data/E-PETITIONS-API.md): created, opened, the
10,000-signature threshold (20 November 2018), the government response
(30 November 2018, 10 days later) and closing. The dump does not give the
moderation time, which is therefore null, nor the last update after archiving,
which is the one replica value (`updated_at`).
"""

from __future__ import annotations

from typing import Any

NUMBER = 221342

ACTION = "Put pressure on the Chinese Government over the treatment of Uyghur Muslims"

BACKGROUND = (
    "Reports have suggested that the chinese government has been placing Uyghur Muslims in "
    "“re-education” camps, forcing them to drink alcohol and consume pork, both against the Islamic faith."
)

ADDITIONAL_DETAILS = (
    "These camps are echoes of previous ethnic cleansing and there needs to be ample pressure on China."
)

RESPONSE_SUMMARY = (
    "This is a priority area of concern in China. We have raised it at senior Ministerial level and at the UN. "
    "Along with other countries, we will continue to press China to change its approach."
)

_RESPONSE_PARAGRAPHS = (
    "We have serious concerns about the human rights situation in Xinjiang due to the Chinese Government’s "
    "deepening crackdown; including credible reports of the use of political re-education camps and widespread "
    "surveillance and restrictions targeted at religious and ethnic minorities – particularly Uyghur Muslims.",

    "We believe that everyone should be free to practice their religion according to their beliefs, and we work "
    "towards worldwide acceptance of the idea that the presence of other faiths does not threaten the identity "
    "of a religion, or a state, or a culture. The prohibition of some religious groups, and the legal "
    "restrictions and harassment aimed at others, undermines freedom of religious belief.",

    "We are continuing to monitor reports and gather information about the developing situation, including "
    "through conducting official visits to Xinjiang. Ministers and senior officials have been raising our "
    "concerns directly with the Chinese authorities for a number of years and will continue to do so.",

    "The Foreign Secretary, the Rt Hon Jeremy Hunt MP, raised our concerns about Xinjiang with Chinese State "
    "Councillor and Foreign Minister, Wang Yi, during his visit to China in July 2018. The Minister for Asia and "
    "the Pacific, the Rt Hon Mark Field MP did likewise with Vice Minister Guo Yezhou during his visit to China "
    "earlier that month. Senior officials in London and China regularly raise Xinjiang with their Chinese "
    "counterparts.",

    "In July 2018, the UK signed the US led Ministerial to Advance Religious Freedom ( which highlighted "
    "concerns about Xinjiang.",

    "British diplomats in China visit Xinjiang every few months, in order to see at first-hand the situation "
    "there. Their observations have supported much of the recent open source reporting about the restrictions "
    "targeted at specific ethnic groups.",

    "During China’s Universal Periodic Review (UPR) at the UN on 6 November 2018, the UK asked the Chinese "
    "Government the following question about Xinjiang:",

    "“When will the Government implement the recommendations made by the UN Committee for the Elimination of "
    "Racial Discrimination (CERD) regarding Xinjiang Autonomous Uyghur Region, including to: halt the practice "
    "of detaining individuals who have not been lawfully charged, tried, and convicted for a criminal offence "
    "in any extra-legal detention facilities; immediately release individuals detained under these "
    "circumstances; eliminate travel restrictions that disproportionately affect members of ethnic minorities; "
    "and provide statistics on the numbers of those held involuntarily in the past 5 years?”",

    "In the UK’s formal statement we recommended that China: “Immediately implement CERD recommendations on "
    "Xinjiang and allow the UN to monitor the implementation.”",

    "Following the UPR, Lord Ahmad issued a statement ( where he said: “I am very concerned about the human "
    "rights situation in Xinjiang, including the re-education camps and the widespread surveillance and "
    "restrictions targeted at ethnic minorities, particularly the Uyghurs. The UK and many of our international "
    "partners have made clear during China’s UPR that this is a priority issue. We recommended that China "
    "should implement CERD recommendations in Xinjiang and allow the UN to monitor implementation.”",

    "The UK also supported the statement of 26 October 2018 by the European External Action Service "
    "highlighting concerns about Xinjiang. The statement said: “The revision by the Chinese authorities of the "
    "\"Xinjiang Uyghur Autonomous Region Regulation on De-extremification\" highlights the deteriorating human "
    "rights situation in Xinjiang. There are credible reports of mass detentions in political \"re-education "
    "camps\" affecting Uighurs and other minorities; of mass surveillance; of restrictions on travel; and of "
    "Uighurs abroad allegedly being returned to China involuntarily. These revisions run counter to the "
    "recommendations provided by the United Nations Committee on the Elimination of Racial Discrimination, "
    "which call on China to change its policy in the Xinjiang Uighur Autonomous Region. In this context, the "
    "EU expects China to respect freedom of religion or belief, and freedom of expression, as well as the "
    "rights of persons belonging to ethnic or national minorities, as guaranteed by the Universal Declaration "
    "of Human Rights and International Covenant on Civil and Political Rights, to which China is a signatory.”",

    "At the 39th session of the UN Human Rights Council in September 2018, we set out our concerns about the "
    "situation in Xinjiang and called publicly on China to release those detained for peacefully exercising "
    "their rights.",
)

# Text typed into the site's admin forms arrives with Windows line ends, and the API keeps them.
RESPONSE_DETAILS = "\r\n\r\n".join(_RESPONSE_PARAGRAPHS)

# The response was signed off by this department (the page ends with its name).
DEPARTMENT = {
    "acronym": "FCO",
    "name": "Foreign and Commonwealth Office",
    "url": "https://www.gov.uk/government/organisations/foreign-commonwealth-office",
}

PARLIAMENT = {
    "period": "2017-2019",
    "government": "Conservative",
    # Parliament was dissolved at 00:01 GMT on 6 November 2019.
    "dissolution_at": "2019-11-06T00:01:00.000Z",
    "response_threshold": 10000,
    "debate_threshold": 100000,
}


def attributes() -> dict[str, Any]:
    """Return the seed petition's attributes, with the real times of the site's own JSON."""
    # Real: the site's JSON of 221342 (a public dump, December 2018; shared/data/E-PETITIONS-API.md).
    responded_at = "2018-11-30T16:25:04.536Z"
    return {
        "action": ACTION,
        "background": BACKGROUND,
        "additional_details": ADDITIONAL_DETAILS,
        "committee_note": None,
        "state": "closed",
        "signature_count": 11406,
        "closing_date": None,
        "created_at": "2018-06-03T13:52:40.093Z",
        # Replica value: the archive job's last touch, after dissolution.
        "updated_at": "2019-11-08T02:15:41.000Z",
        "rejected_at": None,
        "opened_at": "2018-06-08T13:36:48.043Z",
        "closed_at": "2018-12-08T23:59:59.999Z",
        # Not in the dump we have: left out rather than invented.
        "moderation_threshold_reached_at": None,
        "response_threshold_reached_at": "2018-11-20T18:48:25.139Z",
        "government_response_at": responded_at,
        "debate_threshold_reached_at": None,
        "debate_scheduled_on": None,
        "scheduled_debate_date": None,
        "debate_outcome_at": None,
        # The real creator's name is not shown once a petition closes; the replica has none to show.
        "creator_name": None,
        "rejection": None,
        "government_response": {
            "responded_on": "2018-11-30",
            "summary": RESPONSE_SUMMARY,
            "details": RESPONSE_DETAILS,
            "created_at": responded_at,
            "updated_at": responded_at,
        },
        "debate": None,
        "departments": [dict(DEPARTMENT)],
        "topics": [],
        "other_parliamentary_business": [],
    }
