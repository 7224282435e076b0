"""Common English words of four letters or more, for telling a distinctive word from an ordinary one.

``jobhunt share --anonymize`` replaces the first word of a company's name on its
own ("Northwind" for Northwind Analytics) only when that word is distinctive:
"General", "United" or "Blue" on their own are words, not the company. The list
favours the words that start company names and the words of everyday notes.
"""
from __future__ import annotations

WORDS = frozenset(
    """
    able about above academy access account action active adult advance advanced advice
    after again against agency agent aero aerospace agile airline airlines alliance allied
    alpha also always amazing america american anchor angel animal answer apex apple applied
    arch arrow artisan arts asia asian associated atlantic atlas audio auto automotive
    autumn avenue away back bank banking base basic bear beauty because been before being
    bell best beta better between beyond bird black blue board boat body bold book born both
    boston bridge bright broad brown build builders building business cabin call campus canada
    canyon capital card care career cargo carbon castle cause cell center central century
    chain change chemical chicago child children choice circle citizens city civic classic
    clean clear client climate clinic cloud coast coastal code coffee college come commerce
    commercial common community company complete computer connect consolidated consumer
    continental control cook core corner country county craft creative crest cross crown
    crystal cube culture current custom customer daily data datum dawn days deep delta dental
    design desert diamond digital direct discovery does doing door double down dream drive
    dynamic each eagle early earth east eastern easy echo edge education electric elite
    empire energy engine engineering enterprise environmental equity even ever every evolve
    excel excellent expert express fair faith falcon family farm farmers fast federal field
    final finance financial find fine fire first fish five flag fleet flex flow focus food
    force forest forge form forward foundation four fourth free fresh friend from front
    frontier full fund fusion future galaxy game garden gate gateway general generation
    giant give glass global goal going gold golden good grand granite graph great green grid
    ground group grove growth guard guide hand happy harbor harbour hard harvest have health
    healthy heart heritage high highland hill hills home honest horizon hospital hotel house
    human idea image impact independent industrial industries infinite information insight
    institute insurance integrated intelligent interactive international into iron island
    jade just keep kind king knowledge labs lake land large last late latest launch lead leader
    leading legacy legal liberty life light lime line link lion liquid little live living
    local logic long look lotus love loyal made magic main major make maple marine market
    master matrix media medical meridian metro micro midwest mile mind mint mission mobile
    modern moment more most motion motor mountain move much must mutual name nation national
    native natural nature network never news next night noble north northern nova oasis
    ocean office omega once only open optimal orange orbit orchard organic origin other over
    pacific palm park partner partners path peak people perfect pilot pine pinnacle pioneer
    place plan planet platinum play plus point polar power precision premier premium prime
    professional project public pure purple quality quantum quest quick radiant rain
    rapid real reality record regional reliable republic research resource resources results
    ridge right rise river road rock rocket root rose round royal rural safe sage same
    science scientific search season second secure security select service services seven
    shared shell shield shore sierra signal silver simple single site smart snow social
    software solar solid solution solutions some sound source south southern space spark
    special spectrum speed spring square standard star state status steel stone storm story strategic
    street strong studio summit summer sunrise sunset superior supply support sure swift
    system systems take talent team tech technical technologies technology terra than that
    their them then there these they thing think third this three through tide time today
    together total tower town trade trading trail trans travel tree trend tribe trinity triple
    true trust twin ultra union unique united universal universe university urban valley value
    vector venture vertical very view village virtual vision vista vital voice wave were west
    western what when where which while white whole wild will wind window wing winter wise
    with wolf wood word work works world would yellow young your zero zone
    """.split()
)
