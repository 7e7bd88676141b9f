"""French demo content for the public site: the home, about and legal pages.

Bodies are StreamField raw data (lists of {"type", "value"}), built with `demo_blocks`;
the articles are in `demo_articles`.
"""

from .demo_blocks import cta, h2, rich

HOME = {
    "title": "Accueil",
    "hero_title": "Des loteries solidaires qui deviennent des groupes d'entraide",
    "hero_intro": (
        "Les associations financent leurs projets avec des loteries en ligne transparentes. "
        "Les gagnants rejoignent des groupes de pairs pour progresser ensemble sur les "
        "réseaux sociaux : profil LinkedIn, page Facebook, présentation en quelques mots."
    ),
    "seo_title": "Assosolos, loteries solidaires et groupes d'entraide",
    "search_description": (
        "Assosolos aide les associations à organiser des loteries solidaires dont les "
        "gagnants rejoignent des groupes d'entraide sur les réseaux sociaux."
    ),
}


def home_body(*, about_page_id: int) -> list[dict]:
    return [
        h2("Comment ça marche ?"),
        rich(
            """
<ol>
<li><b>Une association lance sa loterie.</b> Elle décrit ses lots en nature, fixe le prix
du billet et la date du tirage, et indique l'autorisation obtenue en mairie.</li>
<li><b>Chacun achète ses billets en ligne</b> et reçoit des numéros de billet
consultables à tout moment dans son espace.</li>
<li><b>Le tirage est public et vérifiable.</b> Tout le nécessaire pour le refaire est
publié : n'importe qui peut vérifier que le résultat n'a pas été arrangé.</li>
<li><b>Les gagnants rejoignent un groupe d'entraide</b> : quelques personnes, un
animateur, des séances régulières et un salon de discussion pour avancer ensemble.</li>
</ol>
"""
        ),
        cta(
            "Vous êtes une association et ce modèle vous intéresse ?",
            "En savoir plus sur Assosolos",
            page_id=about_page_id,
        ),
    ]


HOME_CTA_LABEL = "Comprendre le principe"


ABOUT = {
    "title": "À propos",
    "slug": "a-propos",
    "intro": (
        "Assosolos est une plateforme associative : elle aide les associations à financer "
        "leurs actions par des loteries solidaires, et transforme les lots en occasions "
        "d'apprendre ensemble."
    ),
    "body": [
        h2("Notre idée"),
        rich(
            """
<p>Beaucoup d'associations organisent déjà des tombolas pour financer leurs projets. Nous
avons voulu leur donner un outil simple et honnête pour le faire en ligne, et ajouter un
lot qui change vraiment les choses : une place dans un groupe d'entraide.</p>
<p>Ces groupes réunissent quelques personnes – demandeurs d'emploi, indépendants,
bénévoles – autour d'un animateur, pour travailler concrètement leur présence sur les
réseaux sociaux : profil LinkedIn, présentation en quelques mots, page d'association.</p>
"""
        ),
        h2("Des tirages vérifiables"),
        rich(
            """
<p>Avant l'ouverture des ventes, la plateforme publie une empreinte d'un secret qui servira
au tirage. À la fermeture, la liste des billets vendus est figée. Au moment du tirage, le
secret est révélé et combiné avec une source de hasard publique : chacun peut refaire le
calcul et obtenir les mêmes gagnants. Personne, pas même nous, ne peut choisir le
résultat.</p>
"""
        ),
        h2("Un cadre légal respecté"),
        rich(
            """
<p>Les loteries proposées sur Assosolos sont des loteries associatives au sens de
l'article L322-3 du code de la sécurité intérieure : lots en nature, but non lucratif et
autorisation préalable du maire de la commune du siège de l'association. Chaque loterie
affiche la référence de son autorisation.</p>
"""
        ),
        h2("Qui sommes-nous ?"),
        rich(
            """
<p>Assosolos est portée par une association loi 1901 animée par des bénévoles issus de
l'insertion professionnelle, de l'accompagnement des indépendants et du développement
web. Une question, une idée, l'envie d'animer un groupe ? Écrivez-nous à
<a href="mailto:contact@assosolos.fr">contact@assosolos.fr</a>.</p>
"""
        ),
    ],
}


DEMO_NOTICE = (
    "Site de démonstration : les coordonnées et numéros d'identification de cette page "
    "sont fictifs."
)

LEGAL_PAGES = [
    {
        "title": "Mentions légales",
        "slug": "mentions-legales",
        "intro": DEMO_NOTICE,
        "body": [
            h2("Éditeur du site"),
            rich(
                """
<p>Le site Assosolos est édité par l'association Assosolos, association régie par la loi
du 1er juillet 1901, déclarée à la préfecture du Rhône sous le numéro RNA
W691000000.</p>
<p>Siège social : 12 rue de la Solidarité, 69007 Lyon.<br>
Adresse électronique : <a href="mailto:contact@assosolos.fr">contact@assosolos.fr</a></p>
<p>Directrice de la publication : la présidente de l'association.</p>
"""
            ),
            h2("Hébergement"),
            rich(
                """
<p>Le site est hébergé en France par un prestataire d'hébergement professionnel dont les
coordonnées sont communiquées sur simple demande à l'adresse ci-dessus, conformément à
l'article 6 de la loi n° 2004-575 du 21 juin 2004 pour la confiance dans l'économie
numérique.</p>
"""
            ),
            h2("Propriété intellectuelle"),
            rich(
                """
<p>Les textes, logos et éléments graphiques du site sont la propriété de l'association
Assosolos, sauf mention contraire. Les contenus publiés par les associations (présentation,
lots, photos) restent la propriété de leurs auteurs, qui garantissent disposer des droits
nécessaires. Toute reproduction sans autorisation est interdite, à l'exception des courtes
citations mentionnant la source.</p>
"""
            ),
            h2("Loteries"),
            rich(
                """
<p>Les loteries présentées sur le site sont organisées par les associations elles-mêmes,
sous leur responsabilité, dans le cadre de l'article L322-3 du code de la sécurité
intérieure et de l'autorisation délivrée par le maire de leur commune. Assosolos fournit
l'outil technique de vente des billets et de tirage.</p>
"""
            ),
            h2("Signaler un contenu"),
            rich(
                """
<p>Pour signaler un contenu illicite ou contraire aux conditions d'utilisation, écrivez à
<a href="mailto:moderation@assosolos.fr">moderation@assosolos.fr</a> en précisant
l'adresse de la page concernée.</p>
"""
            ),
        ],
    },
    {
        "title": "Confidentialité",
        "slug": "confidentialite",
        "intro": (
            "Comment l'association Assosolos traite vos données personnelles et comment "
            "exercer vos droits. " + DEMO_NOTICE
        ),
        "body": [
            h2("Responsable du traitement"),
            rich(
                """
<p>L'association Assosolos, 12 rue de la Solidarité, 69007 Lyon, est responsable des
traitements décrits ci-dessous. Pour toute question : <a
href="mailto:donnees@assosolos.fr">donnees@assosolos.fr</a>.</p>
"""
            ),
            h2("Les données que nous traitons"),
            rich(
                """
<ul>
<li><b>Votre compte</b> : adresse électronique, mot de passe (conservé sous forme chiffrée
et irréversible), nom affiché.</li>
<li><b>Vos achats de billets</b> : commandes, numéros de billets, montants et statut du
paiement. Les données de carte bancaire sont saisies directement chez notre prestataire de
paiement, Stripe ; elles ne transitent pas par nos serveurs et nous ne les conservons pas.</li>
<li><b>Votre participation aux groupes</b> : inscriptions, messages dans les salons de
discussion, présentations (« pitchs ») que vous rédigez et commentaires de vos pairs.</li>
<li><b>Pour les associations</b> : informations sur l'association et ses responsables,
nécessaires à sa vérification (numéro RNA ou SIREN, autorisation de loterie).</li>
</ul>
"""
            ),
            h2("Pourquoi et sur quelle base"),
            rich(
                """
<ul>
<li>Gérer votre compte, vos billets et votre place dans les groupes : exécution du
contrat que constituent les conditions d'utilisation.</li>
<li>Tenir la comptabilité des ventes et justifier les tirages : obligations légales des
associations organisatrices.</li>
<li>Assurer la sécurité du site et prévenir la fraude : intérêt légitime.</li>
<li>Publier votre présentation sur la vitrine publique : votre consentement, donné lors de
la validation et retirable à tout moment.</li>
</ul>
"""
            ),
            h2("Durées de conservation"),
            rich(
                """
<p>Les données du compte sont conservées tant que le compte est actif, puis supprimées
trois ans après la dernière connexion. Les données de commande sont conservées dix ans
pour répondre aux obligations comptables. Les messages des salons sont supprimés un an
après la fin du groupe.</p>
"""
            ),
            h2("Destinataires"),
            rich(
                """
<p>Vos données sont accessibles à l'équipe de l'association Assosolos et, pour ce qui les
concerne, aux associations organisatrices des loteries auxquelles vous participez. Elles
sont transmises à nos sous-traitants techniques (hébergement, envoi de courriels,
paiement) dans la seule mesure nécessaire. Nous ne vendons ni ne louons aucune donnée.</p>
"""
            ),
            h2("Cookies"),
            rich(
                """
<p>Le site n'utilise que des cookies strictement nécessaires à son fonctionnement : maintien
de votre connexion, protection des formulaires et mémorisation de la langue choisie. Il
n'utilise aucun cookie publicitaire ni de mesure d'audience tierce ; aucun consentement
n'est donc requis.</p>
"""
            ),
            h2("Vos droits"),
            rich(
                """
<p>Vous disposez d'un droit d'accès, de rectification, d'effacement, de limitation,
d'opposition et de portabilité de vos données. Écrivez à <a
href="mailto:donnees@assosolos.fr">donnees@assosolos.fr</a> ; nous répondons dans un
délai d'un mois. Si vous estimez que vos droits ne sont pas respectés, vous pouvez
adresser une réclamation à la Commission nationale de l'informatique et des libertés
(CNIL).</p>
"""
            ),
        ],
    },
    {
        "title": "Conditions d'utilisation",
        "slug": "conditions-utilisation",
        "intro": (
            "Les règles qui s'appliquent à toute personne qui utilise Assosolos : "
            "participants, associations et membres des groupes. " + DEMO_NOTICE
        ),
        "body": [
            h2("1. Objet"),
            rich(
                """
<p>Assosolos est une plateforme éditée par l'association Assosolos. Elle permet aux
associations d'organiser des loteries solidaires en ligne et d'animer des groupes
d'entraide, et au public d'acheter des billets et de participer à ces groupes.
L'utilisation du site vaut acceptation des présentes conditions.</p>
"""
            ),
            h2("2. Compte"),
            rich(
                """
<p>La création d'un compte est gratuite et réservée aux personnes majeures. Vous vous
engagez à fournir une adresse électronique valide et à garder votre mot de passe
confidentiel. Vous pouvez fermer votre compte à tout moment en nous écrivant.</p>
"""
            ),
            h2("3. Loteries"),
            rich(
                """
<p>Chaque loterie est organisée par une association vérifiée, sous sa responsabilité, dans
le cadre de l'article L322-3 du code de la sécurité intérieure : lots en nature, bénéfices
destinés à une action de bienfaisance, culturelle ou sportive non lucrative, et
autorisation préalable du maire. La référence de l'autorisation figure sur la page de la
loterie.</p>
<p>Le nombre de billets est limité ; un billet est attribué lorsque son paiement est
confirmé. Le tirage a lieu à la date annoncée selon une méthode publique et vérifiable.
Les gagnants sont prévenus par courriel et disposent du délai indiqué dans le règlement
de la loterie pour retirer leur lot.</p>
"""
            ),
            h2("4. Paiement et remboursement"),
            rich(
                """
<p>Les billets sont payés en ligne par carte bancaire, ou en espèces auprès de
l'association. L'achat d'un billet étant une participation à une loterie, il n'ouvre pas
de droit de rétractation une fois le paiement confirmé. Si une loterie est annulée, tous
les billets payés en ligne sont remboursés automatiquement sur le moyen de paiement
utilisé.</p>
"""
            ),
            h2("5. Groupes d'entraide et règles de conduite"),
            rich(
                """
<p>Les groupes reposent sur la confiance et la bienveillance. Dans les salons et les
commentaires, sont interdits les propos injurieux, discriminatoires ou harcelants, la
publicité non sollicitée et la diffusion d'informations personnelles d'autrui. Les
animateurs et l'équipe de modération peuvent masquer un message, suspendre la parole d'un
membre ou l'exclure d'un groupe en cas de manquement.</p>
<p>Vous restez propriétaire des présentations que vous rédigez. En demandant leur
publication sur la vitrine publique, vous autorisez Assosolos à les afficher tant que vous
ne retirez pas cette autorisation.</p>
"""
            ),
            h2("6. Responsabilité"),
            rich(
                """
<p>Assosolos met tout en œuvre pour que le site soit disponible et sûr, sans pouvoir
garantir l'absence d'interruption. Les associations répondent seules de leurs loteries,
de la description et de la remise des lots.</p>
"""
            ),
            h2("7. Modification et droit applicable"),
            rich(
                """
<p>Ces conditions peuvent évoluer ; la version en vigueur est celle publiée sur cette
page, et les utilisateurs sont prévenus par courriel de tout changement important. Elles
sont soumises au droit français. En cas de litige, une solution amiable sera recherchée
avant toute action devant les tribunaux compétents.</p>
"""
            ),
        ],
    },
]
