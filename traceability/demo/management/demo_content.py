"""The words of the demo: people, processes, outcome documents and the phrases
submissions are assembled from. Everything here is fictional; only the laws
and treaties cited in exclusions are real. Used by ``manage.py load_demo``."""

from __future__ import annotations

from dataclasses import dataclass

# Stakeholder group keys, as in traceability.accounts.models.StakeholderKind.
GOV = "government"
PRIV = "private_sector"
CIV = "civil_society"
ACA = "academia"
TECH = "technical_community"
IO = "international_organisation"

# (display name, ISO 3166-1 alpha-2 country, stakeholder group, organisation)
STAKEHOLDERS: tuple[tuple[str, str, str, str], ...] = (
    ("Wanjiru Kamau", "KE", CIV, "Nairobi Digital Rights Collective"),
    ("Chidi Eze", "NG", CIV, "Open Net Lagos"),
    ("Thandiwe Nkosi", "ZA", CIV, "Cape Town Privacy Forum"),
    ("Mariana Souza", "BR", CIV, "Coletivo Direitos na Rede"),
    ("Valentina Rojas", "CL", CIV, "Fundación Datos Abiertos"),
    ("Anjali Rao", "IN", CIV, "Bengaluru Digital Freedom Trust"),
    ("Farah Siddiqui", "PK", CIV, "Lahore Media Matters"),
    ("Rahim Chowdhury", "BD", CIV, "Dhaka Youth Internet Forum"),
    ("Dewi Lestari", "ID", CIV, "Jaringan Literasi Digital"),
    ("Maria Santos", "PH", CIV, "Manila Open Internet Alliance"),
    ("Lena Vogel", "DE", CIV, "Verein für digitale Grundrechte"),
    ("Claire Dubois", "FR", CIV, "Collectif Numérique Solidaire"),
    ("Aoife Byrne", "IE", CIV, "Dublin Consumer Data Coalition"),
    ("Omar Haddad", "LB", CIV, "Beirut Digital Rights Lab"),
    ("Mele Tupou", "TO", CIV, "Pacific Islands Connectivity Network"),
    ("Yasmin El-Sayed", "EG", CIV, "Cairo Open Knowledge Circle"),
    ("Carlos Mendoza", "MX", CIV, "Red Mexicana por la Privacidad"),
    ("Jonas Lindqvist", "SE", PRIV, "Nordlys Cloud AB"),
    ("Sophie Keller", "DE", PRIV, "Rheinwerk Data GmbH"),
    ("Daniel Cohen", "US", PRIV, "Bayline Analytics Inc."),
    ("Emily Chen", "CA", PRIV, "Maple Ridge AI Ltd."),
    ("Kenji Watanabe", "JP", PRIV, "Kaigan Networks K.K."),
    ("Ji-woo Park", "KR", PRIV, "Hanbit Mobile"),
    ("Priya Natarajan", "SG", PRIV, "Straits Payments Pte. Ltd."),
    ("Adebayo Ogunleye", "NG", PRIV, "Lagos Fibre Exchange Ltd."),
    ("Lucía Fernández", "AR", PRIV, "Pampa Software S.A."),
    ("Mehmet Yılmaz", "TR", PRIV, "Bosphorus Hosting A.Ş."),
    ("Rania Al-Mansouri", "AE", PRIV, "Gulf Digital Trade Council"),
    ("Pieter de Vries", "NL", PRIV, "Amstel Interconnect B.V."),
    ("Grace Mensah", "GH", GOV, "Ministry of Communications, Ghana"),
    ("Jean-Paul Habimana", "RW", GOV, "Ministry of ICT and Innovation, Rwanda"),
    ("Fatou Diop", "SN", GOV, "Ministère de l'Économie numérique, Sénégal"),
    ("Kristjan Tamm", "EE", GOV, "Ministry of Economic Affairs, Estonia"),
    ("Agnieszka Nowak", "PL", GOV, "Office of Electronic Communications, Poland"),
    ("Ana Martínez", "ES", GOV, "Secretaría de Estado de Digitalización, España"),
    ("Ricardo Almeida", "BR", GOV, "Ministério das Comunicações, Brasil"),
    ("Hannah Roberts", "GB", GOV, "Department for Science and Technology, United Kingdom"),
    ("Arjun Mehta", "IN", GOV, "Ministry of Electronics and IT, India"),
    ("Tevita Naivalu", "FJ", GOV, "Ministry of Communications, Fiji"),
    ("Camila Torres", "CO", GOV, "Ministerio de Tecnologías de la Información, Colombia"),
    ("Kwame Asante", "GH", ACA, "Accra Institute for Technology Policy"),
    ("Sarah Goldberg", "US", ACA, "Boston Center for Internet and Society Studies"),
    ("Ingrid Hansen", "NO", ACA, "Oslo Centre for Law and Technology"),
    ("Marco Bianchi", "IT", ACA, "Bologna Institute for Law and Technology"),
    ("Nurul Aziz", "MY", ACA, "Kuala Lumpur School of Public Policy"),
    ("Sipho Dlamini", "ZA", ACA, "Johannesburg Centre for AI and Society"),
    ("Aroha Ngata", "NZ", ACA, "Auckland Data Ethics Institute"),
    ("Liam O'Connor", "AU", ACA, "Melbourne Institute for Digital Government"),
    ("Nadia Benali", "MA", ACA, "Rabat Centre for Digital Studies"),
    ("Ahmed Farouk", "EG", TECH, "Nile Network Operators Group"),
    ("Tomasz Kowalski", "PL", TECH, "Central European IPv6 Task Force"),
    ("Ravi Shankar", "IN", TECH, "South Asia Network Operators Forum"),
    ("Bruno Oliveira", "PT", TECH, "Lisbon Internet Exchange"),
    ("Kateryna Shevchenko", "UA", TECH, "Kyiv Network Operators Group"),
    ("Joseph Otieno", "KE", TECH, "East Africa Internet Exchange Association"),
    ("Ana Lucía Vargas", "CR", TECH, "Central American Network Operators Group"),
    ("Min-jun Kim", "KR", TECH, "Seoul Open Standards Forum"),
    ("Aino Virtanen", "FI", TECH, "Nordic DNS Operators Forum"),
    ("Amadou Traoré", "ML", IO, "Regional Digital Cooperation Secretariat"),
    ("Isabelle Laurent", "CH", IO, "International Data Standards Council"),
    ("Hassan Karimi", "JO", IO, "Arab Regional Digital Forum Secretariat"),
    ("Patricia Gómez", "PE", IO, "Andean Digital Agenda Office"),
    ("Wei Zhang", "CN", IO, "Asia-Pacific Digital Policy Secretariat"),
    ("Ruth Tesfaye", "ET", IO, "African Digital Transformation Office"),
)

# How often each group files, and how often its submissions fall outside what
# the process can take up (these become exclusions). The differences make the
# report's per-group columns worth reading.
FILING_WEIGHT = {CIV: 1.4, PRIV: 1.1, GOV: 0.8, ACA: 0.9, TECH: 0.9, IO: 0.6}
OBJECTION_RATE = {CIV: 0.26, PRIV: 0.22, GOV: 0.10, ACA: 0.16, TECH: 0.14, IO: 0.10}
FULL_UPTAKE_RATE = {CIV: 0.45, PRIV: 0.6, GOV: 0.7, ACA: 0.55, TECH: 0.6, IO: 0.65}


@dataclass(frozen=True)
class Topic:
    """What a group of similar submissions is about, and where the document deals with it."""

    clauses: tuple[str, ...]  # clause labels, in the latest version; the first ones exist in the first draft
    titles: tuple[str, ...]
    points: tuple[str, ...]
    changes: tuple[str, ...]


@dataclass(frozen=True)
class Objection:
    """A submission the process cannot take up, with the ground and reason the organisers give."""

    ground: str  # "legal", "public_morality", or "not_taken_up" (considered, not adopted: no legitimate ground)
    titles: tuple[str, ...]
    text: str
    reason: str


@dataclass(frozen=True)
class Theme:
    slug: str
    code: str
    title: str
    summary: str
    description: str
    how_to_take_part: str
    focus: str
    documents: tuple[tuple[str, str, str], ...]  # (label, status, Markdown source), oldest first
    topics: tuple[Topic, ...]
    objections: tuple[Objection, ...]
    # The title, summary, description and how to take part in other interface languages (Process.translations).
    translations: dict[str, dict[str, str]] | None = None


HOW_TO_TAKE_PART = (
    "Sign in and file your suggestion with the form on this page. You may refer to a numbered clause of "
    "the draft and propose new wording. Every submission gets a receipt reference at once, and the "
    "organisers will record for each one which clauses of the outcome document reflect it, or the legal "
    "ground or public-morality justification for leaving it out. You can edit or withdraw your "
    "submission until the deadline."
)

# --- Submissions written in other languages -----------------------------------------------------------
# A few filers write in their own language: the form detects it, the report can be filtered by it. (title, text)
FOREIGN_SUBMISSIONS = {
    "fr": (
        (
            "Consulter les communautés dans leur langue",
            "Nous proposons que le texte exige de consulter les communautés concernées dans une langue qu'elles "
            "comprennent, et de publier les documents dans des formats accessibles. Sans cela, la participation "
            "reste théorique pour une grande partie des personnes concernées.",
        ),
        (
            "Un recours simple et gratuit",
            "Toute personne affectée devrait pouvoir contester une décision par une procédure simple, gratuite et "
            "accessible en ligne comme hors ligne. Nous demandons que ce droit figure explicitement dans le texte.",
        ),
    ),
    "es": (
        (
            "Plazos realistas para las organizaciones pequeñas",
            "Solicitamos que el texto prevea plazos realistas para las organizaciones pequeñas y las redes "
            "comunitarias, que no cuentan con equipos jurídicos. Un periodo de transición de dieciocho meses "
            "permitiría cumplir con las obligaciones sin excluir a nadie.",
        ),
        (
            "Informes públicos cada dos años",
            "Proponemos que los gobiernos informen públicamente cada dos años sobre la aplicación de estos "
            "principios, con datos desagregados por región y por grupo de partes interesadas.",
        ),
    ),
    "ar": (
        (
            "إشراك المجتمعات المحلية بلغتها",
            "نقترح أن ينص النص صراحة على استشارة المجتمعات المعنية بلغة تفهمها، وعلى نشر الوثائق بصيغ مفتوحة "
            "ومتاحة للجميع. فمن دون ذلك تبقى المشاركة نظرية بالنسبة لكثير من الناس.",
        ),
        (
            "تقارير علنية عن التنفيذ",
            "نطلب أن تلتزم الحكومات بنشر تقرير علني عن التنفيذ كل سنتين، مع بيانات مفصلة حسب المنطقة وحسب "
            "مجموعات أصحاب المصلحة.",
        ),
    ),
}
# Of the submissions on a topic, this share is written in one of the languages above.
FOREIGN_SHARE = 0.06

# --- Shared phrases -------------------------------------------------------------------------------

OPENERS = (
    "We welcome the draft and the open way in which it is being prepared.",
    "{org} thanks the organisers for the opportunity to comment.",
    "This submission is made on behalf of {org}.",
    "We broadly support the text, with one important concern.",
    "Our comments draw on our work in {country}.",
    "The draft is a good basis, and we hope the following point strengthens it.",
    "We have read the draft with interest and offer one concrete suggestion.",
    "Getting {focus} right matters to everyone we work with.",
    "",
    "",
)

RATIONALES = (
    "Experience in {country} shows that commitments without a clear owner are rarely implemented.",
    "Without this change, the text risks being read as optional.",
    "This would align the text with existing international standards.",
    "Smaller organisations in particular would benefit from clearer language.",
    "The current wording leaves too much room for interpretation.",
    "Several national frameworks already include a similar provision, so it is achievable.",
    "This matters most for people who are already marginalised.",
    "Participants in our national consultation in {country} raised this point again and again.",
    "The evidence from the last five years points clearly in this direction.",
    "It would make the commitment measurable, so that progress can be reported.",
)

CLOSERS = (
    "We would be glad to share further evidence.",
    "We are available to discuss this with the drafting team.",
    "Thank you for considering this suggestion.",
    "",
    "",
    "",
)

FULL_NOTES = (
    "The proposed wording was adopted.",
    "Adopted with minor drafting changes.",
    "Reflected in the new wording of this clause.",
    "The clause now says this explicitly.",
    "Added in response to this and similar submissions.",
)

PARTIAL_NOTES = (
    "The principle is included; the proposed deadline is not.",
    "Reflected in substance, in shorter wording.",
    "Partly taken up: the list of examples was shortened.",
    "The concern is addressed as a recommendation rather than an obligation.",
    "Taken up for public bodies only, not for private actors.",
    "Reflected in part; other submissions asked for the opposite and the text balances both.",
)

# What authors say when they contest a partial uptake, and how the organisers answer before revising it.
CONTEST_REASONS = (
    "Only half of the proposal made it into the text: the part on independent oversight is missing.",
    "The clause cited keeps the principle but drops the deadline, which was the point of the suggestion.",
    "The text says 'should' where we proposed 'shall'; as drafted, nothing changes in practice.",
)
CONTEST_ANSWERS = (
    "You are right that the oversight part was dropped. The next version adds it; the decision is revised.",
    "The deadline was left out by mistake in the editing. It is restored, and the decision now reads fully.",
    "On reflection the stronger wording is consistent with the rest of the text. The clause now says 'shall'.",
)

# Public-morality objections recur in every process; legal ones depend on the subject.
MORALITY_OBJECTIONS = (
    Objection(
        ground="public_morality",
        titles=("Comments on the drafting team", "What I think of this consultation"),
        text=(
            "The people who wrote this draft are clowns and should be fired. The chair in particular has no "
            "idea what she is doing and everyone knows it. Nobody should waste time on this nonsense."
        ),
        reason=(
            "The submission consists of personal insults against named participants and makes no proposal on "
            "the text. The code of conduct asks for respectful language; its author was invited to resubmit."
        ),
    ),
    Objection(
        ground="not_taken_up",
        titles=("Best VPN deals: 80% off today", "Grow your business with our SEO package"),
        text=(
            "Limited offer! Secure your connection and unlock every streaming service with our premium service. "
            "Visit our website today and use the code CONSULT for a discount."
        ),
        reason=(
            "Commercial advertising unrelated to the consultation: it makes no proposal on the text, so there was "
            "nothing to take up."
        ),
    ),
    Objection(
        ground="public_morality",
        titles=("Ignore submissions from some countries",),
        text=(
            "Submissions from certain regions should simply be ignored. Those people do not understand the "
            "Internet and only slow the rest of us down."
        ),
        reason=(
            "The submission demeans other participants on the basis of their national origin, contrary to the "
            "equal participation on which the process rests. Its author was invited to resubmit without it."
        ),
    ),
)

# --- Process 1: open, zero draft ------------------------------------------------------------------

AI_DRAFT = """\
# I. Purpose and scope

1. These principles guide public bodies that design, buy or use artificial intelligence (AI) systems to take or \
support decisions that affect people.
2. They apply to AI systems that:
(a) decide, recommend or rank, where the result affects access to a public service, a benefit or a right;
(b) are used in policing, border management, migration or the administration of justice;
(c) are general-purpose models deployed by a public body for one of the uses above.
3. They do not apply to research and testing that does not affect identifiable people.

# II. Human rights and the rule of law

4. Public bodies use AI systems only in ways that respect human rights, including privacy, equality and \
non-discrimination, freedom of expression and the right to a fair hearing.
5. No decision that produces legal effects for a person, or similarly significantly affects them, is taken by an \
AI system alone.
5.1 A named official accountable for the decision reviews it, with the authority, time and information needed to \
change it.
5.2 Review is meaningful: an official who approves every output without examination does not satisfy paragraph 5.
6. AI systems are not used for purposes incompatible with human rights, such as social scoring of the population \
or the untargeted collection of facial images.

# III. Transparency and explanation

7. Each public body keeps a public register of the AI systems it uses, which states for each system:
(a) its purpose and the decisions it supports;
(b) the categories of data it uses;
(c) the unit accountable for it, and a contact point;
(d) the results of its impact assessment under paragraph 9.
8. People are told, in plain language, when an AI system contributed to a decision about them, and how to obtain \
a meaningful explanation of the main factors.

# IV. Impact assessment and oversight

9. Before an AI system is deployed, the public body assesses its impact on human rights, equality and the \
environment, consults the people likely to be affected, and publishes the assessment.
10. Systems that the assessment finds to be high-risk are audited by an independent auditor before deployment and \
at regular intervals.
10.1 Auditors have access to the documentation, the logs and, where needed, the model and its training data.
10.2 Audit reports are published, with only the redactions the law requires.
11. An independent oversight authority with adequate resources supervises the use of AI systems by public bodies \
and can order a system to be suspended.

# V. Data governance

12. Personal data used to train, test or run an AI system is limited to what is necessary for the stated purpose.
13. Training and test data are documented, including their provenance, their known gaps and the steps taken to \
detect and correct bias.
14. Data collected for one public service is not reused to train an AI system for another purpose unless the law \
allows it and the people concerned have been informed.

# VI. Procurement

15. Contracts for AI systems give the public body:
(a) access to the documentation, logs and performance data needed for audit;
(b) the right to have the system assessed by an independent party;
(c) the ability to change supplier without losing its data.
16. Public bodies prefer open standards and, where possible, open-source software, to avoid dependence on a \
single supplier.

# VII. Redress

17. Everyone affected by a decision supported by an AI system can contest it before a human decision-maker and, \
after that, before a court or an independent body.
18. Public bodies keep the records needed to examine a contested decision for at least the period during which \
it can be contested.

# VIII. Capacity, inclusion and review

19. Public bodies train the officials who use or oversee AI systems, including in the limits of these systems.
20. Communities affected by an AI system are consulted in a language they understand, and people without digital \
access can use the service through other channels.
21. These principles are reviewed every three years, through an open and multistakeholder process.
"""

AI_TOPICS = (
    Topic(
        clauses=("2", "2(c)", "3"),
        titles=(
            "Cover general-purpose AI models explicitly",
            "Narrow the research exemption in paragraph 3",
            "Include systems bought from private suppliers in the scope",
        ),
        points=(
            "The scope should state that general-purpose models are covered as soon as a public body uses them "
            "to inform decisions, even when they were not designed for that purpose.",
            "The research exemption is too broad: pilots run on real cases do affect identifiable people and "
            "should be covered.",
            "Many public bodies use AI through services they buy; the scope should leave no doubt that these are "
            "covered in the same way as systems built in-house.",
        ),
        changes=(
            'Add at the end of paragraph 3: "Pilots and trials that use real cases are not research within the '
            'meaning of this paragraph."',
            'Replace paragraph 2(c) with: "(c) general-purpose models, whoever developed them, when a public '
            'body uses them for one of the uses above."',
        ),
    ),
    Topic(
        clauses=("5", "5.1", "5.2"),
        titles=(
            "Make human review meaningful, not a formality",
            "Give reviewers the time and training to disagree with the system",
            "Clarify who is accountable for automated decisions",
        ),
        points=(
            "Human review only protects people if the reviewer can and does disagree with the system. The text "
            "should require that reviewers see the reasons behind an output, not just the output.",
            "Automation bias is well documented: officials under time pressure tend to accept recommendations. "
            "Paragraph 5.1 should require that the workload allows a real examination.",
            "It should be clear that the public body, not the supplier, remains accountable for every decision.",
        ),
        changes=(
            'Insert in paragraph 5.1 after "information": ", including the main factors behind the output,".',
            "Add a paragraph 5.3: \"Public bodies monitor how often reviewers depart from the system's outputs "
            'and publish the figures yearly."',
        ),
    ),
    Topic(
        clauses=("6",),
        titles=(
            "Prohibit biometric surveillance in public spaces",
            "Add emotion recognition to the prohibited uses",
            "Turn the examples in paragraph 6 into a closed list",
        ),
        points=(
            "Remote biometric identification in publicly accessible spaces has a chilling effect on assembly "
            "and expression and should be listed among the uses that are not permitted.",
            "Emotion recognition lacks a scientific basis and should not be used by public bodies, in "
            "particular in schools, workplaces and at borders.",
            "Public bodies need legal certainty: an open list of examples makes it hard to know what is allowed.",
        ),
        changes=(
            'Add to paragraph 6: "remote biometric identification in publicly accessible spaces, and emotion '
            'recognition in education, employment and border control".',
        ),
    ),
    Topic(
        clauses=("7", "7(a)", "7(b)", "7(d)"),
        titles=(
            "Publish the AI register in a machine-readable format",
            "List the supplier of each system in the register",
            "Keep the register up to date within thirty days",
        ),
        points=(
            "A register is only useful if journalists, researchers and citizens can search and compare it. "
            "It should be published as open data in a common format.",
            "The register should name the supplier of each system and the version in use, so that problems "
            "found in one public body can be traced in others.",
            "Registers go stale quickly; the text should set a deadline for updating an entry after a change.",
        ),
        changes=(
            'Add at the end of paragraph 7: "The register is published as open data, in a machine-readable '
            'format, and updated within thirty days of any change."',
            'Insert a new sub-paragraph: "(e) the supplier of the system and the version in use;"',
        ),
    ),
    Topic(
        clauses=("8",),
        titles=(
            "Strengthen the right to an explanation",
            "Explanations must be available in local languages",
            "Tell people before, not after, an AI system is used",
        ),
        points=(
            "People should receive an explanation without having to ask for it when a decision goes against "
            "them, and it should be specific to their case.",
            "An explanation in a language the person does not read is no explanation. Paragraph 8 should refer "
            "to the official and commonly used languages of the area served.",
            "Notice after the fact is too late for people to prepare or to ask for a human decision instead.",
        ),
        changes=('Replace "how to obtain" with "receive, without having to request it," in paragraph 8.',),
    ),
    Topic(
        clauses=("9",),
        titles=(
            "Make impact assessments public before deployment",
            "Involve affected communities in impact assessments",
            "Add environmental costs to the impact assessment",
        ),
        points=(
            "Assessments published after deployment cannot inform the decision to deploy. They should be public "
            "early enough for comments to be taken into account.",
            "Consultation should include the organisations that represent the people most likely to be "
            "affected, and their comments should be published with the assessment.",
            "Training and running large models uses significant energy and water; the assessment should cover it.",
        ),
        changes=('Insert in paragraph 9 after "publishes the assessment": "at least sixty days before deployment".',),
    ),
    Topic(
        clauses=("10", "10.1", "10.2"),
        titles=(
            "Independent audits should include access to models",
            "Protect trade secrets in audits",
            "Define who may act as an independent auditor",
        ),
        points=(
            "Audits based only on documentation miss most of the problems found in practice. Auditors need "
            "access to the model and to representative data.",
            "Suppliers can support audits, but the text should protect confidential business information "
            "through non-disclosure obligations on auditors.",
            "The text should set minimum criteria of independence and competence for auditors, to avoid audits "
            "by consultants who also sell the systems.",
        ),
        changes=(
            'Add to paragraph 10.1: "Auditors are bound by confidentiality for trade secrets they learn."',
            "Add a paragraph 10.3 setting criteria for the independence of auditors.",
        ),
    ),
    Topic(
        clauses=("11",),
        titles=(
            "Give the oversight authority the power to suspend systems",
            "Fund the oversight authority adequately",
        ),
        points=(
            "An oversight authority without the power to act will not be taken seriously; the power to suspend "
            "a system should not depend on a court order.",
            "The text should commit to funding the authority at a level that matches the number of systems it "
            "supervises, with technical staff.",
        ),
        changes=('Insert in paragraph 11 after "adequate resources": ", including technical staff,".',),
    ),
    Topic(
        clauses=("12", "13", "14"),
        titles=(
            "Limit reuse of personal data for training",
            "Document the provenance of training data",
            "Test for bias across groups before and after deployment",
        ),
        points=(
            "Data given to obtain one service should not be silently reused to train systems for another. "
            "Paragraph 14 should require a legal basis and information of the people concerned.",
            "Documentation of training data should follow an established template so that audits can compare systems.",
            "Bias testing should be repeated after deployment, since populations and data change over time.",
        ),
        changes=(
            'Add at the end of paragraph 13: "Tests for bias are repeated at least once a year after deployment."',
        ),
    ),
    Topic(
        clauses=("15", "15(a)", "15(c)", "16"),
        titles=(
            "Avoid vendor lock-in in AI procurement",
            "Prefer open-source AI in the public sector",
            "Standard contract clauses for public AI procurement",
        ),
        points=(
            "Public bodies should be able to change supplier without losing their data or the history needed "
            "to examine past decisions.",
            "Open-source systems are easier to audit and to adapt; the preference in paragraph 16 should be stronger.",
            "Model contract clauses, published by the oversight authority, would help smaller public bodies "
            "negotiate with large suppliers.",
        ),
        changes=(
            'Add to paragraph 15: "(d) the return of all data and logs, in an open format, at the end of the '
            'contract."',
        ),
    ),
    Topic(
        clauses=("17", "18"),
        titles=(
            "Effective redress for automated decisions",
            "Keep records long enough for appeals",
        ),
        points=(
            "The right to contest should not depend on knowing that an AI system was involved; the burden of "
            "showing how a decision was made should lie on the public body.",
            "Records should be kept for the full period in which a court can be seized, not only the "
            "administrative appeal period.",
        ),
        changes=('Add to paragraph 17: "The public body bears the burden of showing how the decision was made."',),
    ),
    Topic(
        clauses=("19", "20", "21"),
        titles=(
            "Keep non-digital channels for public services",
            "Train officials on the limits of AI systems",
            "Review the principles more often",
        ),
        points=(
            "Nobody should lose access to a public service because they cannot or will not use a digital channel.",
            "Training should cover the limits and failure modes of AI systems, not only how to use them.",
            "Three years is long in this field; a lighter yearly review would keep the principles current.",
        ),
        changes=('Replace "every three years" with "every two years" in paragraph 21.',),
    ),
)

AI_OBJECTIONS = (
    Objection(
        ground="legal",
        titles=("Use facial recognition to identify all protesters",),
        text=(
            "Public bodies should be required to identify every participant in demonstrations with facial "
            "recognition, so that troublemakers can be found afterwards."
        ),
        reason=(
            "Article 17 and Article 21 of the International Covenant on Civil and Political Rights: untargeted "
            "identification of everyone at an assembly is not a necessary and proportionate interference."
        ),
    ),
)

# --- Process 2: closed, under review --------------------------------------------------------------

DATA_DRAFT = """\
# I. Objectives

1. This framework sets common principles so that personal data can move across borders while the protection it \
enjoys travels with it.
2. It aims to:
(a) raise the level of protection for people whose data is transferred;
(b) give businesses, researchers and public bodies predictable rules;
(c) support cooperation between supervisory authorities.

# II. Definitions

3. "Personal data" means any information relating to an identified or identifiable natural person.
4. "Transfer" means making personal data accessible to a recipient under the jurisdiction of another State, \
including by remote access.

# III. Principles for transfers

5. Personal data may be transferred where the law of the recipient's jurisdiction, or safeguards agreed between the \
parties, ensure a level of protection essentially equivalent to that of the exporting jurisdiction.
6. Transfers respect the principles of lawfulness, purpose limitation, data minimisation, accuracy, storage \
limitation, security and accountability.
7. Sensitive data, including health, biometric and genetic data, is transferred only with additional safeguards.

# IV. Safeguards

8. Where no adequacy finding exists, transfers may rely on:
(a) standard contractual clauses approved by a supervisory authority;
(b) binding corporate rules;
(c) certification schemes and codes of conduct with enforceable commitments.
9. The exporter assesses, before the transfer, whether the law and practice of the recipient's jurisdiction allow \
the safeguards to be respected, and documents that assessment.
9.1 Small and medium-sized enterprises may rely on assessments published by supervisory authorities.

# V. Government access

10. Access by public authorities to transferred data is provided by law, necessary and proportionate, and subject \
to independent prior authorisation, except in duly justified emergencies.
11. People can obtain redress before an independent body when they believe their data was accessed unlawfully.
12. States publish, at least yearly, aggregate statistics on the requests for access they make.

# VI. Data localisation

13. Requirements to store or process data within a territory are adopted only where necessary to achieve a \
legitimate public policy objective and no less restrictive measure is available.
14. Such requirements are published, with the reasons for them, and reviewed periodically.

# VII. Rights of individuals

15. People whose data is transferred keep the rights of access, rectification, erasure and objection, and can \
exercise them against the exporter.
16. People are informed, in clear terms, of the countries to which their data may be transferred.

# VIII. Cooperation between supervisory authorities

17. Supervisory authorities cooperate on complaints and investigations that concern more than one jurisdiction.
17.1 They may exchange information, including confidential information, subject to equivalent confidentiality \
safeguards.
17.2 They may carry out joint investigations.
18. A network of supervisory authorities maintains a public register of adequacy findings and approved transfer \
tools.

# IX. Capacity building

19. States and international organisations support the establishment of independent supervisory authorities where \
none exist, with particular attention to developing countries.

# X. Review

20. The framework is reviewed every four years in an open, multistakeholder process, in light of technological \
change.
"""

DATA_TOPICS = (
    Topic(
        clauses=("1", "2", "2(b)"),
        titles=(
            "Recognise the development dimension of data flows",
            "State the economic objectives alongside the protective ones",
        ),
        points=(
            "For developing economies, data flows are a condition of access to cloud services and global "
            "markets. The objectives should say so, alongside protection.",
            "Predictable rules matter most to small firms that cannot afford legal advice in every market.",
        ),
        changes=(
            'Add to paragraph 2: "(d) enable people and businesses in all countries to benefit from trusted '
            'data flows."',
        ),
    ),
    Topic(
        clauses=("3", "4"),
        titles=(
            "Define anonymised and pseudonymised data",
            "Confirm that remote access is a transfer",
        ),
        points=(
            "Without a definition of anonymised data, organisations will disagree on what falls outside the "
            "framework. Pseudonymised data should be clearly personal data.",
            "Remote access from abroad is the most common form of transfer today; the definition rightly "
            "includes it and should not be weakened.",
        ),
        changes=(
            'Insert after paragraph 3: "Pseudonymised data remains personal data. Anonymised data is data that '
            'can no longer be linked to a person by any means reasonably likely to be used."',
        ),
    ),
    Topic(
        clauses=("5", "6"),
        titles=(
            "Clarify the standard of essential equivalence",
            "Accept adequacy findings made by other authorities",
        ),
        points=(
            "Essential equivalence is a demanding standard. The framework should explain how it is assessed "
            "and by whom.",
            "Mutual recognition of adequacy findings would spare authorities duplicate work and give exporters "
            "certainty.",
        ),
        changes=(
            'Add to paragraph 5: "Supervisory authorities may rely on the adequacy findings of other '
            'authorities in the network."',
        ),
    ),
    Topic(
        clauses=("7",),
        titles=(
            "Stronger safeguards for health and genetic data",
            "Add children's data to sensitive data",
        ),
        points=(
            "Health and genetic data cannot be changed once exposed; transfers should require encryption and a "
            "prior assessment in every case.",
            "Children's data deserves the same additional safeguards as the categories already listed.",
        ),
        changes=(
            'Replace "including health, biometric and genetic data" with "including health, biometric and '
            'genetic data and data about children".',
        ),
    ),
    Topic(
        clauses=("8", "8(a)", "8(c)"),
        titles=(
            "Interoperable standard contractual clauses",
            "Make certification a practical option for small firms",
        ),
        points=(
            "Companies operating in many countries face several incompatible sets of contractual clauses. The "
            "framework should encourage authorities to recognise each other's clauses.",
            "Certification schemes are rarely used because they are expensive. Fees should be proportionate to "
            "the size of the organisation.",
        ),
        changes=(
            'Add to paragraph 8(a): "; authorities should recognise clauses approved by other members of the '
            'network where they offer equivalent protection".',
        ),
    ),
    Topic(
        clauses=("9", "9.1"),
        titles=(
            "Simplify transfer impact assessments for SMEs",
            "Publish country assessments",
        ),
        points=(
            "A full assessment of a foreign legal system is beyond the means of most small businesses. Published "
            "country assessments would make paragraph 9 workable.",
            "Supervisory authorities should publish their assessments of the main destination countries and "
            "keep them up to date.",
        ),
        changes=(
            'Replace "may rely on" with "may rely on, and supervisory authorities shall publish," in paragraph 9.1.',
        ),
    ),
    Topic(
        clauses=("10", "11", "12"),
        titles=(
            "Independent authorisation for government access",
            "Transparency reports on government requests",
            "Effective redress for foreign nationals",
        ),
        points=(
            "Government access is the main obstacle to trust in data flows. Prior authorisation by an independent "
            "body should be the rule, and emergencies narrowly defined.",
            "Statistics should be broken down by type of request and legal basis, and companies should be "
            "allowed to publish their own figures.",
            "Redress should be available to everyone whose data is accessed, whatever their nationality.",
        ),
        changes=(
            'Add to paragraph 12: "Service providers may publish aggregate numbers of the requests they receive."',
            'Insert in paragraph 11 after "People": ", whatever their nationality or residence,".',
        ),
    ),
    Topic(
        clauses=("13", "14"),
        titles=(
            "Limit data localisation requirements",
            "Recognise legitimate reasons for local storage",
        ),
        points=(
            "Localisation requirements raise costs and rarely improve security. The necessity test in paragraph "
            "13 is welcome and should be kept.",
            "Some localisation serves legitimate aims, such as keeping public records under national law. The "
            "text should acknowledge this without encouraging blanket requirements.",
        ),
        changes=('Add to paragraph 14: "and notified to the network of supervisory authorities".',),
    ),
    Topic(
        clauses=("15", "16"),
        titles=(
            "Let people exercise their rights against the importer too",
            "Name the destination countries in privacy notices",
        ),
        points=(
            "People often cannot reach the exporter once the data is abroad; they should be able to address "
            "either party.",
            '"Countries to which data may be transferred" invites long generic lists. Notices should name the '
            "countries actually used.",
        ),
        changes=('Replace "against the exporter" with "against the exporter or the importer" in paragraph 15.',),
    ),
    Topic(
        clauses=("17", "17.1", "17.2", "18"),
        titles=(
            "Joint investigations between data protection authorities",
            "A public register of transfer tools",
        ),
        points=(
            "Cross-border complaints take years when authorities cannot share evidence. The framework should "
            "remove obstacles to joint investigations.",
            "The register should also list decisions in cross-border cases, so that practice converges.",
        ),
        changes=('Add to paragraph 18: "and the decisions taken in cross-border cases".',),
    ),
    Topic(
        clauses=("19",),
        titles=(
            "Support new data protection authorities",
            "Fund capacity building through a dedicated facility",
        ),
        points=(
            "Many countries have adopted data protection laws but have no functioning authority. Technical "
            "assistance and peer exchange would help.",
            "A dedicated facility, with contributions from several donors, would make support predictable.",
        ),
        changes=('Add to paragraph 19: "including through staff exchanges and shared training".',),
    ),
    Topic(
        clauses=("20",),
        titles=("Review the framework more often",),
        points=(
            "Four years is long compared with the pace of change in cloud and AI services; a mid-term review "
            "would help.",
        ),
        changes=('Replace "every four years" with "every two years" in paragraph 20.',),
    ),
)

DATA_OBJECTIONS = (
    Objection(
        ground="legal",
        titles=("Give intelligence agencies unrestricted access to transferred data",),
        text=(
            "Security comes first. Any data that crosses a border should be open to our intelligence services "
            "without further procedure."
        ),
        reason=(
            "Article 17 of the International Covenant on Civil and Political Rights and Article 11 of Convention "
            "108+ (CETS No. 223): access must be provided by law, necessary and proportionate."
        ),
    ),
    Objection(
        ground="legal",
        titles=("Publish the names of people who complain to authorities",),
        text=(
            "Complaints should be public, with the complainant's name, so that companies can see who is attacking them."
        ),
        reason=(
            "Article 7 of Convention 108+ (CETS No. 223) and Article 5(1)(f) of Regulation (EU) 2016/679 (GDPR): "
            "complainants' personal data must be kept confidential."
        ),
    ),
    Objection(
        ground="not_taken_up",
        titles=("Turn the framework into a binding trade agreement",),
        text=(
            "Principles are not enough; the framework should be a trade agreement with tariff consequences for "
            "countries that restrict data flows."
        ),
        reason=(
            "Outside the mandate of this process (terms of reference, paragraph 4): trade commitments are "
            "negotiated by States in trade fora. The point is passed on to the secretariat's report to them."
        ),
    ),
)

# The revised draft rewords two principles; the links to them wait for the organisers to re-confirm them.
DATA_REVISED = DATA_DRAFT.replace(
    "ensure a level of protection essentially equivalent to that of the exporting jurisdiction.",
    "ensure a level of protection equivalent in substance to that of the exporting jurisdiction, as assessed by "
    "the competent supervisory authority.",
).replace(
    "is transferred only with additional safeguards.",
    "is transferred only with additional safeguards and, where the law requires it, the explicit consent of the "
    "person concerned.",
)


# --- Process 3: closed, every submission dispositioned ----------------------------------------------

# The statement went through three versions. A line tagged [z], [r] or [f] (or several, e.g. [rf]) is
# in the zero draft, revision 1 or the final statement only; untagged lines are in all three. "{n}" is the
# next paragraph number in that version and "{n.1}" a sub-number of the last one, so paragraphs are
# renumbered as they would be by hand. From the zero draft to revision 1 a paragraph was inserted (all
# later ones move down by one), one was reworded, one edited for style only, one split in two, two merged
# and one removed; the final statement adds sub-paragraphs.
NET_TEMPLATE = """\
# I. Preamble

{n}. We, the participants in this multistakeholder process, from governments, the private sector, civil society, \
academia, the technical community and international organisations, affirm our shared commitment to a single, open, \
interoperable, secure and resilient Internet.
{n}. We recognise that a third of the world's population remains offline, and that the benefits of the Internet are \
unevenly shared, within and between countries.
[rf]{n}. We build on the commitments that States and stakeholders have already made, and on the outcomes of the \
World Summit on the Information Society.

# II. Universal and meaningful connectivity

{n}. We commit to connecting everyone to the Internet by 2030 with meaningful connectivity: affordable, reliable, at \
adequate speeds, on a suitable device, with the skills to use it safely.
[z]{n}. Affordable access means that one gigabyte of mobile data costs no more than two per cent of average monthly \
income.
[rf]{n}. Affordable access means that one gigabyte of mobile data costs no more than two per cent of average monthly \
income, including for the poorest fifth of the population, and that a basic quota is free for public services.
{n}. We support community networks and small operators, including through access to spectrum and to public funding.
[f]{n.1} Licensing regimes provide simplified, low-cost licences for community networks.
[z]{n}. We call for investment in digital skills, with particular attention to women and girls, older persons and \
persons with disabilities.
[rf]{n}. We call for investment in digital skills, with particular attention to women and girls, older persons, and \
persons with disabilities.

# III. Human rights online

{n}. The same rights that people have offline must also be protected online.
[z]{n}. We oppose Internet shutdowns and measures that intentionally prevent or disrupt access to or dissemination of \
information online.
[rf]{n}. We oppose Internet shutdowns.
[rf]{n}. We oppose measures that intentionally prevent or disrupt access to or dissemination of information online, \
and call for their effects to be documented.
{n}. Any restriction of content online is provided by law, pursues a legitimate aim, and is necessary and \
proportionate.
{n.1} Platforms publish clear terms of service and regular transparency reports.
[f]{n.2} Users are notified when their content is restricted, with the reasons, and can appeal.
{n}. We recognise the importance of encryption for privacy, security and the exercise of freedom of expression.

# IV. Security and resilience

[z]{n}. We commit to protecting the public core of the Internet, including its routing and naming systems, from attacks.
[rf]{n}. We commit to protecting the public core of the Internet, including its routing and naming systems, from \
attacks, and national computer emergency response teams cooperate across borders to that end.
{n}. We encourage the adoption of security standards that make the Internet safer for everyone:
(a) route origin validation (RPKI) by network operators;
(b) DNSSEC signing and validation;
(c) IPv6 deployment;
[f](d) secure-by-design practices and coordinated vulnerability disclosure in software and connected devices.
[z]{n}. National computer emergency response teams cooperate across borders and with the private sector and the \
technical community.

# V. Internet governance

{n}. Internet governance decisions are taken through inclusive multistakeholder processes, in which every \
stakeholder group can participate on an equal footing.
{n}. We support the Internet Governance Forum and national and regional IGFs as spaces for open dialogue, and call \
for their sustainable funding.
[f]{n.1} Travel support and remote participation are provided so that participants from developing countries and \
under-represented groups can take part.
{n}. Decisions are transparent: the inputs received and the way they were considered are published.

# VI. Emerging technologies

{n}. Artificial intelligence systems that affect the Internet's users are developed and used in line with human \
rights, with transparency and human oversight.
{n}. We call for data governance that allows data to flow with trust, while protecting privacy and ensuring that \
the benefits of data are shared fairly.
[f]{n.1} Developing countries are supported in building the data infrastructure and skills needed to benefit from AI.

# VII. Environment

{n}. We commit to reducing the environmental footprint of digital infrastructure, including the energy use of data \
centres and electronic waste.
[f]{n.1} Operators of large data centres report their energy and water use.

# VIII. Follow-up

[z]{n}. We will review progress on these commitments each year at the Internet Governance Forum, on the basis of \
measurable indicators.
[z]{n}. This statement is open to endorsement by any organisation or person.
[rf]{n}. We will review progress on these commitments each year at the Internet Governance Forum, on the basis of \
measurable indicators, and this statement is open to endorsement by any organisation or person.
"""

NET_ZERO, NET_REVISION, NET_FINAL = "z", "r", "f"


def _net_version(version: str) -> str:
    """The statement as it read in ``version`` ("z", "r" or "f"), numbered."""
    lines, number = [], 0
    for line in NET_TEMPLATE.splitlines():
        if line.startswith("["):
            tags, line = line[1:].split("]", 1)
            if version not in tags:
                continue
        if "{n}" in line:
            number += 1
            line = line.replace("{n}", str(number))
        for sub in range(1, 4):
            line = line.replace(f"{{n.{sub}}}", f"{number}.{sub}")
        lines.append(line)
    return "\n".join(lines) + "\n"


NET_TOPICS = (
    Topic(
        clauses=("3", "4"),
        titles=(
            "Keep the 2030 connectivity target",
            "Define meaningful connectivity with measurable thresholds",
            "Adopt the two per cent affordability target",
        ),
        points=(
            "A dated target keeps everyone accountable; it should stay in the text with the definition of "
            "meaningful connectivity.",
            "Each element of meaningful connectivity should come with a threshold, so that countries can report "
            "progress in the same way.",
            "The affordability threshold should be measured for the poorest fifth of the population, not only "
            "against average income.",
        ),
        changes=(
            'Add to paragraph 4: "Affordability is also measured for the poorest twenty per cent of households."',
        ),
    ),
    Topic(
        clauses=("5", "5.1"),
        titles=(
            "Simplified licences for community networks",
            "Open spectrum access for small operators",
            "Support for rural community networks",
        ),
        points=(
            "Community networks connect places commercial operators do not reach, but licensing fees designed "
            "for national operators make them impossible.",
            "Unused spectrum in rural areas should be available to small operators at low cost.",
            "Universal service funds should be open to community networks on the same terms as other operators.",
        ),
        changes=(
            'Insert after paragraph 5: "Licensing regimes provide simplified, low-cost licences for community '
            'networks."',
        ),
    ),
    Topic(
        clauses=("6",),
        titles=(
            "Close the gender digital divide",
            "Digital skills for older persons",
            "Accessibility for persons with disabilities",
        ),
        points=(
            "Women remain less likely than men to use the Internet in most low-income countries. Skills "
            "programmes should set targets by gender.",
            "Older persons are often left out of digital skills programmes, which focus on schools.",
            "Accessibility standards should apply to public websites and services, not only skills programmes.",
        ),
        changes=('Add to paragraph 6: "and apply recognised accessibility standards to public digital services".',),
    ),
    Topic(
        clauses=("8",),
        titles=(
            "Condemn Internet shutdowns without exception",
            "Keep shutdowns language strong",
        ),
        points=(
            "Shutdowns during elections and protests cut people off from emergency information and from each "
            "other. The text should call on States to refrain from them in all circumstances.",
            "The current paragraph is clear and should not be weakened in the final text.",
        ),
        changes=('Add to paragraph 8: "and call on all States to refrain from them."',),
    ),
    Topic(
        clauses=("9", "9.1", "9.2"),
        titles=(
            "Due process for content moderation",
            "Transparency reports from platforms",
            "A right to appeal content removals",
        ),
        points=(
            "Users whose posts are removed rarely learn why and cannot appeal. Notice and appeal should be part "
            "of the statement.",
            "Transparency reports should follow a common format so that they can be compared across platforms.",
            "Appeals should be decided by a person, within a reasonable time.",
        ),
        changes=(
            'Insert after paragraph 9.1: "Users are notified when their content is restricted, with the reasons, '
            'and can appeal."',
        ),
    ),
    Topic(
        clauses=("10",),
        titles=(
            "Protect strong encryption",
            "Recognise encryption as essential to security",
        ),
        points=(
            "Encryption protects journalists, human rights defenders, businesses and governments alike. The "
            "statement should oppose measures that weaken it.",
            "Client-side scanning undermines encryption as surely as a backdoor does.",
        ),
        changes=('Add to paragraph 10: "We oppose measures that would weaken encryption."',),
    ),
    Topic(
        clauses=("11", "12", "12(a)", "12(b)", "12(c)", "12(d)"),
        titles=(
            "Accelerate RPKI and DNSSEC deployment",
            "Add secure-by-design to the security standards",
            "Coordinated vulnerability disclosure",
            "Set a timeline for IPv6 deployment",
        ),
        points=(
            "Route hijacks remain common; route origin validation should be encouraged through peering policies "
            "and public procurement.",
            "Insecure connected devices are a growing threat to the public core. Secure-by-design practices should "
            "be listed with the network standards.",
            "Researchers who report vulnerabilities in good faith should be protected from prosecution.",
            "Without a timeline, IPv6 deployment will keep stalling in many regions.",
        ),
        changes=(
            'Add to paragraph 12: "(d) secure-by-design practices and coordinated vulnerability disclosure in '
            'software and connected devices."',
        ),
    ),
    Topic(
        clauses=("13",),
        titles=(
            "Cooperation between CERTs across regions",
            "Include the technical community in incident response",
        ),
        points=(
            "Incidents cross borders in seconds; national CERTs need trusted channels with their peers in "
            "other regions.",
            "Network operators and registries often see incidents first and should be partners of national CERTs.",
        ),
        changes=(
            'Insert in paragraph 13 after "technical community": ", including network operators and registries".',
        ),
    ),
    Topic(
        clauses=("14", "15", "15.1", "16"),
        titles=(
            "Sustainable funding for the IGF",
            "Travel support for participants from developing countries",
            "Publish how inputs were considered",
            "Equal footing for all stakeholder groups",
        ),
        points=(
            "The IGF depends on voluntary contributions that vary from year to year. A predictable funding base "
            "would allow longer-term planning.",
            "Participation remains skewed towards those who can afford to travel. Travel support and good remote "
            "participation are essential.",
            "Participants should be able to see how each input was considered; otherwise consultations lose "
            "credibility.",
            "Equal footing should apply to agenda setting, not only to speaking slots.",
        ),
        changes=(
            'Insert after paragraph 15: "Travel support and remote participation are provided so that '
            'participants from developing countries and under-represented groups can take part."',
        ),
    ),
    Topic(
        clauses=("17", "18", "18.1"),
        titles=(
            "Human oversight of AI systems online",
            "Data governance that benefits developing countries",
            "Support AI capacity in developing countries",
        ),
        points=(
            "AI systems that rank and moderate content shape public debate; they should be subject to "
            "transparency and human oversight.",
            "Data flows with trust must not mean data flowing one way; the benefits should be shared fairly.",
            "Without compute, data and skills, developing countries will be users but never builders of AI.",
        ),
        changes=(
            'Add after paragraph 18: "Developing countries are supported in building the data infrastructure '
            'and skills needed to benefit from AI."',
        ),
    ),
    Topic(
        clauses=("19", "19.1"),
        titles=(
            "Report the energy use of data centres",
            "Address electronic waste",
        ),
        points=(
            "Without reporting, the environmental commitment cannot be measured. Large data centres should "
            "publish energy and water use.",
            "Electronic waste is shipped to countries least able to process it safely; the statement should "
            "support repair and recycling.",
        ),
        changes=('Add after paragraph 19: "Operators of large data centres report their energy and water use."',),
    ),
    Topic(
        clauses=("20", "21"),
        titles=(
            "Measurable indicators for follow-up",
            "Yearly progress report",
        ),
        points=(
            "The follow-up should name the indicators and who reports on them, or the commitments will not be tracked.",
            "A short yearly progress report, open to comments, would keep the statement alive.",
        ),
        changes=('Add to paragraph 20: "A progress report is published each year and open to comments."',),
    ),
)

NET_OBJECTIONS = (
    Objection(
        ground="legal",
        titles=("Require real-name registration for all Internet users",),
        text=(
            "Anonymity online is the root of all abuse. Every user should register with their passport before "
            "being allowed to post anything."
        ),
        reason=(
            "Articles 17 and 19(3) of the International Covenant on Civil and Political Rights: a general "
            "identification duty for all users is not a necessary and proportionate restriction."
        ),
    ),
    Objection(
        ground="not_taken_up",
        titles=("Endorse our secure messaging product as the standard",),
        text=(
            "Our messenger is the most secure on the market. The statement should recommend it to governments "
            "as the standard for official communication."
        ),
        reason=(
            "Outside the mandate of this process (terms of reference, paragraph 6): the statement does not endorse "
            "commercial products "
            "or named companies."
        ),
    ),
    Objection(
        ground="legal",
        titles=("Publish the contact details of every domain name holder",),
        text=(
            "The full name, address and telephone number of every domain holder should be public, so that "
            "anyone can contact them directly."
        ),
        reason=(
            "Article 6(1) of Regulation (EU) 2016/679 (GDPR) and equivalent national laws: publishing registrants' "
            "personal data needs a legal basis that a statement cannot create."
        ),
    ),
    Objection(
        ground="legal",
        titles=("Oblige messaging services to build in backdoors",),
        text=(
            "Law enforcement must be able to read every message. All messaging services should be required to "
            "keep a key that the police can use."
        ),
        reason=(
            "Article 17 of the International Covenant on Civil and Political Rights: a general obligation to "
            "weaken encryption is not a necessary and proportionate interference with privacy."
        ),
    ),
)

THEMES = (
    Theme(
        slug="trustworthy-ai-public-services",
        code="AIPS26",
        title="Trustworthy AI in Public Services: Draft Principles",
        summary="How public bodies should design, buy and use AI systems that affect people. Open for comments.",
        description=(
            "Public bodies increasingly use artificial intelligence to decide who receives a benefit, which "
            "case an inspector looks at first, or how a visa application is triaged. This consultation invites "
            "every stakeholder group to comment on a zero draft of principles for trustworthy AI in public "
            "services: human review, transparency registers, impact assessments, audits, procurement and "
            "redress."
        ),
        how_to_take_part=HOW_TO_TAKE_PART,
        focus="human oversight of public-sector AI",
        documents=(("Zero draft", "draft", AI_DRAFT),),
        topics=AI_TOPICS,
        objections=AI_OBJECTIONS,
    ),
    Theme(
        slug="cross-border-data-flows",
        code="DFLOW26",
        title="Cross-Border Data Flows and Personal Data Protection",
        summary="A framework for transferring personal data across borders with protection that travels with it.",
        description=(
            "Personal data crosses borders every time someone uses a cloud service, sends a payment or sees a "
            "doctor abroad. This process drafted common principles for such transfers: safeguards, government "
            "access, data localisation, the rights of individuals and cooperation between supervisory "
            "authorities. The consultation has closed; the organisers are recording, for every submission, where "
            "it is reflected in the framework or why it was left out."
        ),
        how_to_take_part=HOW_TO_TAKE_PART,
        focus="trusted cross-border data flows",
        documents=(("Draft framework", "draft", DATA_DRAFT), ("Revised draft", "draft", DATA_REVISED)),
        topics=DATA_TOPICS,
        objections=DATA_OBJECTIONS,
    ),
    Theme(
        slug="open-resilient-internet",
        code="NET25",
        title="An Open, Secure and Resilient Internet: Multistakeholder Statement",
        summary="A statement on connectivity, rights online, security and governance. Every submission decided.",
        description=(
            "Participants from all stakeholder groups were invited to comment on a zero draft statement on "
            "universal and meaningful connectivity, human rights online, the security of the Internet's public "
            "core, multistakeholder governance, emerging technologies and the environment. Every submission has "
            "been dispositioned: the mapping report shows which clauses of the final statement reflect it, or "
            "the ground on which it was left out."
        ),
        how_to_take_part=HOW_TO_TAKE_PART,
        focus="an open and resilient Internet",
        documents=(
            ("Zero draft", "draft", _net_version(NET_ZERO)),
            ("Revision 1", "draft", _net_version(NET_REVISION)),
            ("Final statement", "final", _net_version(NET_FINAL)),
        ),
        topics=NET_TOPICS,
        objections=NET_OBJECTIONS,
        translations={
            "fr": {
                "title": "Un Internet ouvert, sûr et résilient : déclaration multipartite",
                "summary": "Une déclaration sur la connectivité, les droits en ligne, la sécurité et la gouvernance. "
                "Chaque contribution a reçu une décision.",
                "description": (
                    "Les participants de tous les groupes de parties prenantes ont été invités à commenter un "
                    "avant-projet de déclaration sur la connectivité universelle et effective, les droits humains en "
                    "ligne, la sécurité du noyau public de l'Internet, la gouvernance multipartite, les technologies "
                    "émergentes et l'environnement. Chaque contribution a reçu une décision : le rapport de "
                    "correspondance montre quelles clauses de la déclaration finale la reflètent, ou le motif pour "
                    "lequel elle a été écartée."
                ),
            },
            "es": {
                "title": "Una Internet abierta, segura y resiliente: declaración de múltiples partes interesadas",
                "summary": "Una declaración sobre conectividad, derechos en línea, seguridad y gobernanza. Cada "
                "aporte recibió una decisión.",
                "description": (
                    "Se invitó a participantes de todos los grupos de partes interesadas a comentar un borrador cero "
                    "de declaración sobre la conectividad universal y significativa, los derechos humanos en línea, la "
                    "seguridad del núcleo público de Internet, la gobernanza de múltiples partes interesadas, las "
                    "tecnologías emergentes y el medio ambiente. Cada aporte recibió una decisión: el informe de "
                    "correspondencia muestra qué cláusulas de la declaración final lo reflejan, o el motivo por el que "
                    "se dejó fuera."
                ),
            },
        },
    ),
)
