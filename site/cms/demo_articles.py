"""French demo articles of the public site, and their index page."""

from .demo_blocks import cta, h2, h3, quote, rich

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
