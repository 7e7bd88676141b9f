"""French demo content for the public site: articles, about and legal pages.

Bodies are StreamField raw data (lists of {"type", "value"}), built with the helpers below.
"""


def h2(text: str) -> dict:
    return {"type": "heading", "value": {"text": text, "level": "h2"}}


def h3(text: str) -> dict:
    return {"type": "heading", "value": {"text": text, "level": "h3"}}


def rich(html: str) -> dict:
    return {"type": "paragraph", "value": html.strip()}


def quote(text: str, attribution: str = "") -> dict:
    return {"type": "quote", "value": {"quote": text, "attribution": attribution}}


def cta(text: str, label: str, *, page_id: int | None = None, url: str = "") -> dict:
    return {
        "type": "call_to_action",
        "value": {"text": text, "label": label, "page": page_id, "url": url},
    }


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

ARTICLES_INDEX = {
    "title": "Articles",
    "slug": "articles",
    "intro": (
        "Conseils pratiques sur les réseaux sociaux pour les personnes en recherche "
        "d'emploi, les indépendants et les associations qui les accompagnent."
    ),
}


def articles(*, about_page_id: int) -> list[dict]:
    """Four articles, oldest first; `days_ago` places them in time."""
    return [
        {
            "title": "Réussir son profil LinkedIn quand on cherche un emploi",
            "slug": "reussir-son-profil-linkedin",
            "days_ago": 40,
            "author": "Claire Morel",
            "tags": ["LinkedIn", "Recherche d'emploi", "Profil"],
            "intro": (
                "Un recruteur passe en moyenne quelques secondes sur un profil avant de "
                "décider s'il le lit. Photo, titre, résumé, expériences : voici comment "
                "rendre chaque élément utile, sans en faire trop."
            ),
            "body": [
                rich(
                    """
<p>LinkedIn est souvent le premier endroit où un recruteur, un ancien collègue ou un
futur client cherche votre nom. Un profil incomplet n'est pas éliminatoire, mais un
profil clair vous fait gagner des occasions que vous ne voyez jamais passer :
un message d'un chasseur de têtes, une recommandation, une invitation à un événement.</p>
"""
                ),
                h2("La photo et le titre : ce que l'on voit en premier"),
                rich(
                    """
<p>Choisissez une photo récente, de face, sur un fond neutre, où l'on voit bien votre
visage. Pas besoin d'un photographe : un téléphone, une fenêtre pour la lumière et un
ami suffisent. Les profils avec photo reçoivent nettement plus de visites.</p>
<p>Le titre est la ligne affichée sous votre nom partout sur le réseau. Par défaut, c'est
votre dernier poste ; remplacez-le par ce que vous cherchez et ce que vous apportez.
Par exemple : <i>« Comptable spécialisée en associations – paie, clôtures, subventions –
disponible à Lyon »</i> plutôt que <i>« En recherche active »</i>, qui ne dit rien de vous.</p>
"""
                ),
                h2("Le résumé : parler aux personnes, pas aux robots"),
                rich(
                    """
<p>La section « Infos » se lit comme une courte lettre. En trois ou quatre paragraphes :</p>
<ul>
<li>ce que vous savez faire, avec deux ou trois réalisations concrètes et chiffrées si
possible ;</li>
<li>le type de poste ou de mission que vous recherchez, et où ;</li>
<li>ce qui vous motive, en une ou deux phrases sincères ;</li>
<li>comment vous joindre.</li>
</ul>
<p>Glissez naturellement les mots que les recruteurs tapent dans la recherche (intitulés
de poste, logiciels, certifications), mais évitez les listes de mots-clés : elles se
remarquent et donnent une impression de remplissage.</p>
"""
                ),
                h2("Les expériences : des résultats plutôt que des tâches"),
                rich(
                    """
<p>Pour chaque poste, écrivez deux ou trois lignes qui disent ce qui a changé grâce à
vous : « réduit de moitié les délais de facturation », « formé six bénévoles à l'accueil
du public ». Les périodes sans emploi ne sont pas un problème à cacher : une formation,
du bénévolat ou un projet personnel ont toute leur place dans le profil.</p>
"""
                ),
                quote(
                    "Je pensais qu'il fallait tout dire. En groupe, on m'a aidée à garder "
                    "l'essentiel : mon profil tient maintenant en une page et on me contacte.",
                    "Samira, participante d'un groupe LinkedIn",
                ),
                h2("Faire vivre son profil"),
                rich(
                    """
<p>Un profil n'est pas figé. Acceptez les invitations des personnes que vous connaissez
vraiment, demandez une recommandation à un ancien responsable, et commentez de temps en
temps les publications de votre secteur. Dix minutes, deux fois par semaine, suffisent
pour rester visible sans que LinkedIn devienne une corvée.</p>
"""
                ),
                cta(
                    "Les groupes d'entraide Assosolos travaillent le profil LinkedIn à "
                    "plusieurs, avec un animateur et des relectures entre pairs.",
                    "Découvrir les groupes",
                    page_id=about_page_id,
                ),
            ],
        },
        {
            "title": "Se constituer un réseau en ligne sans y passer ses journées",
            "slug": "reseau-en-ligne-sans-y-passer-ses-journees",
            "days_ago": 26,
            "author": "Karim Benali",
            "tags": ["Réseautage", "Recherche d'emploi", "Organisation"],
            "intro": (
                "Le réseau reste la première source d'emplois qui ne sont jamais publiés. "
                "Quelques habitudes simples suffisent pour l'entretenir en ligne, même "
                "quand on a peu de temps ou peu d'aisance avec les réseaux sociaux."
            ),
            "body": [
                rich(
                    """
<p>On entend souvent qu'« il faut réseauter ». Dit comme ça, c'est décourageant : on
imagine des cocktails, des cartes de visite et des messages à des inconnus. En pratique,
le réseau utile commence avec les personnes que vous connaissez déjà, et il se construit
par petites touches régulières.</p>
"""
                ),
                h2("Commencer par son premier cercle"),
                rich(
                    """
<p>Anciens collègues, camarades de formation, bénévoles de votre association, voisins :
ces personnes savent ce que vous valez et ont envie de vous aider. Dites-leur simplement
ce que vous cherchez, en une phrase précise. « Je cherche un poste d'assistante RH dans
une PME du Val-de-Marne » permet à quelqu'un de penser à vous ; « je cherche un travail »
ne le permet pas.</p>
"""
                ),
                h2("Une routine de vingt minutes"),
                rich(
                    """
<p>Deux ou trois fois par semaine, fixez-vous un créneau court :</p>
<ol>
<li>cinq minutes pour lire le fil et réagir à deux publications de personnes de votre secteur ;</li>
<li>dix minutes pour écrire un message personnel à une personne (félicitations pour un
nouveau poste, remerciement, question précise) ;</li>
<li>cinq minutes pour noter dans un carnet qui vous avez contacté et ce qui a été dit.</li>
</ol>
<p>Le carnet a l'air d'un détail : c'est lui qui évite de relancer deux fois la même
personne ou d'oublier une promesse de mise en relation.</p>
"""
                ),
                h2("Écrire à quelqu'un qu'on ne connaît pas"),
                rich(
                    """
<p>Une invitation sans message est souvent ignorée. Trois lignes suffisent : comment vous
avez trouvé la personne, pourquoi elle en particulier, et une demande modeste, par exemple
quinze minutes d'échange sur son métier. Ne demandez jamais un emploi dans le premier
message ; demandez un conseil. Les gens aiment parler de leur travail.</p>
"""
                ),
                quote(
                    "Le réseau, ce n'est pas les gens que vous connaissez, ce sont les gens "
                    "qui savent ce que vous cherchez.",
                    "Un animateur de groupe Assosolos",
                ),
                h2("Passer du virtuel au réel"),
                rich(
                    """
<p>Les échanges en ligne prennent de la valeur quand ils mènent à une vraie conversation :
un appel, un café, un salon professionnel, une réunion d'association. Beaucoup de
structures locales (points information jeunesse, maisons de l'emploi, associations
d'anciens) organisent des rencontres gratuites : c'est l'occasion de mettre un visage sur
les noms de votre liste.</p>
"""
                ),
            ],
        },
        {
            "title": "Associations : animer une page Facebook ou Instagram avec une petite équipe",
            "slug": "animer-page-facebook-instagram-association",
            "days_ago": 12,
            "author": "",
            "tags": ["Associations", "Facebook", "Instagram", "Communication"],
            "intro": (
                "Pas de chargé de communication, trois bénévoles motivés et un téléphone : "
                "c'est largement suffisant pour tenir une page vivante, à condition de "
                "s'organiser un peu."
            ),
            "body": [
                rich(
                    """
<p>Pour une association, les réseaux sociaux servent à trois choses : montrer ce que vous
faites, donner envie de vous rejoindre et prévenir de vos rendez-vous. Inutile d'être
présent partout : mieux vaut une page tenue régulièrement que quatre comptes abandonnés.</p>
"""
                ),
                h2("Choisir un ou deux réseaux"),
                rich(
                    """
<p>Facebook reste utile pour les événements locaux, les groupes de quartier et un public
plutôt adulte. Instagram convient aux activités qui se montrent en images (ateliers,
chantiers, sport, culture) et touche un public plus jeune. Demandez à vos adhérents où ils
passent du temps : la réponse est souvent plus simple que prévu.</p>
"""
                ),
                h2("Un calendrier plutôt que l'inspiration du moment"),
                rich(
                    """
<p>Un rythme tenable pour une petite équipe : deux publications par semaine. Préparez-les
en début de mois lors d'une courte réunion, en alternant quelques formats :</p>
<ul>
<li>les coulisses : une photo de l'équipe qui prépare un événement, avec une phrase ;</li>
<li>les personnes : un bénévole ou un bénéficiaire qui témoigne (avec son accord écrit) ;</li>
<li>l'utile : une date, une inscription, un appel aux dons ou aux bénévoles ;</li>
<li>le bilan : ce que l'action a permis, en chiffres simples.</li>
</ul>
"""
                ),
                h2("Des règles simples pour les images"),
                rich(
                    """
<p>Demandez l'autorisation avant de publier la photo d'une personne reconnaissable, et
gardez une trace de cet accord. Pour les mineurs, l'accord des parents est indispensable.
Évitez les images trouvées sur internet sans licence : les banques d'images libres de
droits ou vos propres photos font très bien l'affaire.</p>
"""
                ),
                h3("Et les commentaires ?"),
                rich(
                    """
<p>Répondez aux questions dans la journée si possible, remerciez les encouragements, et
fixez une règle claire pour les messages insultants : on masque, on ne polémique pas.
Affichez cette règle dans la description de la page.</p>
"""
                ),
                quote(
                    "Depuis qu'on prépare nos publications une fois par mois, la page ne "
                    "repose plus sur une seule personne, et on ose enfin parler de nos résultats.",
                    "Hélène, trésorière d'une association d'aide aux devoirs",
                ),
                cta(
                    "Assosolos accompagne aussi les associations : une loterie solidaire "
                    "peut financer un groupe d'entraide sur la communication.",
                    "Voir comment ça marche",
                    page_id=about_page_id,
                ),
            ],
        },
        {
            "title": "Recherche d'emploi : soigner son image en ligne et protéger sa vie privée",
            "slug": "image-en-ligne-et-vie-privee",
            "days_ago": 3,
            "author": "Claire Morel",
            "tags": ["Vie privée", "Recherche d'emploi", "E-réputation"],
            "intro": (
                "Avant un entretien, beaucoup de recruteurs tapent le nom du candidat dans "
                "un moteur de recherche. Faites-le avant eux, et reprenez la main sur ce "
                "qui est public."
            ),
            "body": [
                rich(
                    """
<p>Votre « e-réputation », c'est simplement ce qu'on trouve sur vous en cherchant votre
nom. Il ne s'agit pas d'effacer toute trace de votre vie personnelle, mais de décider ce
qui est visible par tous et ce qui reste entre vous et vos proches.</p>
"""
                ),
                h2("Faire l'état des lieux"),
                rich(
                    """
<p>Cherchez votre nom et prénom, entre guillemets, dans deux moteurs de recherche
différents, puis dans la recherche d'images. Ajoutez votre ville ou votre métier si vous
avez un homonyme. Notez tout ce qui remonte sur les deux premières pages : anciens
comptes, photos, commentaires publics, articles.</p>
"""
                ),
                h2("Régler la confidentialité de chaque réseau"),
                rich(
                    """
<p>Sur Facebook et Instagram, passez en revue qui peut voir vos publications passées, vos
photos identifiées et votre liste d'amis. Sur LinkedIn, au contraire, vous avez intérêt à
ce que le profil soit public : c'est votre vitrine professionnelle. Séparer clairement les
deux usages est la meilleure protection.</p>
<p>Supprimez les comptes que vous n'utilisez plus : un vieux blog ou un profil oublié
donnent une image datée, et ce sont des données de plus qui traînent.</p>
"""
                ),
                h2("Faire valoir vos droits"),
                rich(
                    """
<p>Si une page publie des informations personnelles vous concernant, vous pouvez demander
à son éditeur de les retirer. Les moteurs de recherche proposent aussi un formulaire de
déréférencement. En cas de refus, la CNIL peut être saisie : le règlement général sur la
protection des données (RGPD) vous donne un droit à l'effacement dans de nombreux cas.</p>
"""
                ),
                h2("Occuper le terrain avec du contenu positif"),
                rich(
                    """
<p>La meilleure façon de faire reculer un vieux résultat gênant est de publier mieux : un
profil LinkedIn complet, une participation à un projet associatif, un article sur votre
métier. Ces pages récentes et actives remontent naturellement dans les résultats.</p>
"""
                ),
                quote(
                    "Ce qu'on publie sur soi raconte une histoire. Autant l'écrire soi-même.",
                    "Claire Morel",
                ),
            ],
        },
    ]


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
