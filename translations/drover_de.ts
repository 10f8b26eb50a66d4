<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="de_DE">
<context>
    <name>AptSources</name>
    <message>
        <source>cannot read %1: %2</source>
        <translation>%1 kann nicht gelesen werden: %2</translation>
    </message>
    <message>
        <source>cancelled</source>
        <translation>abgebrochen</translation>
    </message>
    <message>
        <source>cannot fetch the %1 release file from the mirror: %2</source>
        <translation>die Release-Datei von %1 kann nicht vom Spiegelserver abgerufen werden: %2</translation>
    </message>
    <message>
        <source>the mirror&apos;s %1 release file is not an apt Release file</source>
        <translation>die Release-Datei von %1 auf dem Spiegelserver ist keine apt-Release-Datei</translation>
    </message>
</context>
<context>
    <name>AssignVerbs</name>
    <message>
        <source>Why: kept in the history.</source>
        <translation>Begründung: wird im Verlauf festgehalten.</translation>
    </message>
    <message>
        <source>TARGET is a group, even one with no machines yet.</source>
        <translation>TARGET ist eine Gruppe, auch wenn sie noch keine Maschinen enthält.</translation>
    </message>
    <message>
        <source>Set the image of machines with no other assignment.</source>
        <translation>Das Image für Maschinen ohne andere Zuweisung festlegen.</translation>
    </message>
    <message>
        <source>&apos;%1&apos; is neither a machine nor a group; use --group to start a new group</source>
        <translation>„%1“ ist weder eine Maschine noch eine Gruppe; verwenden Sie --group, um eine neue Gruppe anzulegen</translation>
    </message>
    <message>
        <source>TARGET is a group.</source>
        <translation>TARGET ist eine Gruppe.</translation>
    </message>
    <message>
        <source>The history of the default image.</source>
        <translation>Der Verlauf des Standard-Images.</translation>
    </message>
    <message>
        <source>&apos;%1&apos; is neither a machine nor a group</source>
        <translation>„%1“ ist weder eine Maschine noch eine Gruppe</translation>
    </message>
    <message>
        <source>WHEN</source>
        <translation>WHEN</translation>
    </message>
    <message>
        <source>IMAGE</source>
        <translation>IMAGE</translation>
    </message>
    <message>
        <source>WHO</source>
        <translation>WHO</translation>
    </message>
    <message>
        <source>WHY</source>
        <translation>WHY</translation>
    </message>
    <message>
        <source>List the assignments of a machine or group, newest first.</source>
        <translation>Die Zuweisungen einer Maschine oder Gruppe auflisten, neueste zuerst.</translation>
    </message>
    <message>
        <source>machine %1 boots %2 from its next boot</source>
        <translation>Maschine %1 bootet %2 ab dem nächsten Booten</translation>
    </message>
    <message>
        <source>group %1 boots %2 from the next boot of each machine</source>
        <translation>Gruppe %1 bootet %2 ab dem nächsten Booten jeder Maschine</translation>
    </message>
    <message>
        <source>machines without an assignment boot %1 from their next boot</source>
        <translation>Maschinen ohne Zuweisung booten %1 ab ihrem nächsten Booten</translation>
    </message>
    <message>
        <source>Return a machine or group to its previous image (or the one given) from its next boot.</source>
        <translation>Eine Maschine oder Gruppe ab dem nächsten Booten auf das vorherige (oder das angegebene) Image zurückrollen.</translation>
    </message>
    <message>
        <source>(follows its group)</source>
        <translation>(folgt ihrer Gruppe)</translation>
    </message>
    <message>
        <source>Set the mode of machines with no other setting.</source>
        <translation>Den Modus der Rechner ohne eigene Einstellung setzen.</translation>
    </message>
    <message>
        <source>&apos;%1&apos; is neither a machine nor a group; use --group for a new group</source>
        <translation>„%1“ ist weder ein Rechner noch eine Gruppe; für eine neue Gruppe --group verwenden</translation>
    </message>
    <message>
        <source>not set</source>
        <translation>nicht gesetzt</translation>
    </message>
    <message>
        <source>%1 (own setting: %2)</source>
        <translation>%1 (eigene Einstellung: %2)</translation>
    </message>
    <message>
        <source>none</source>
        <translation>keine</translation>
    </message>
    <message>
        <source>&apos;%1&apos; is not one of on, off, auto</source>
        <translation>„%1“ ist weder on noch off noch auto</translation>
    </message>
    <message>
        <source>secure boot %1 for %2 from its next boot</source>
        <translation>Secure Boot %1 für %2 ab dem nächsten Start</translation>
    </message>
    <message>
        <source>machines without their own setting</source>
        <translation>Rechner ohne eigene Einstellung</translation>
    </message>
    <message>
        <source>Show or set which loader UEFI machines get: on = the signed chain (shim, GRUB, a signed kernel), off = iPXE, auto = the signed chain when it is installed.</source>
        <translation>Zeigen oder setzen, welchen Lader UEFI-Rechner bekommen: on = die signierte Kette (shim, GRUB, ein signierter Kernel), off = iPXE, auto = die signierte Kette, wenn sie installiert ist.</translation>
    </message>
    <message>
        <source>Boot this instead of an image: %1.</source>
        <translation>Dies statt eines Abbilds starten: %1.</translation>
    </message>
    <message>
        <source>--target: &apos;%1&apos; is not a boot target; there are: %2</source>
        <translation>--target: &apos;%1&apos; ist kein Startziel; es gibt: %2</translation>
    </message>
    <message>
        <source>Roll back to this image (or boot target) rather than the previous one.</source>
        <translation>Auf dieses Abbild (oder Startziel) zurücksetzen statt auf das vorige.</translation>
    </message>
    <message>
        <source>Assign an image, or a boot target instead of one; it takes effect at the next boot.</source>
        <translation>Ein Abbild zuweisen, oder statt dessen ein Startziel; wirkt ab dem nächsten Start.</translation>
    </message>
    <message>
        <source>%1 s</source>
        <translation>%1 s</translation>
    </message>
    <message>
        <source>&apos;%1&apos; is not a number of seconds from 1 to 3600</source>
        <translation>&apos;%1&apos; ist keine Sekundenzahl von 1 bis 3600</translation>
    </message>
    <message>
        <source>boot menus wait %1 s, then boot their first entry</source>
        <translation>Startmenüs warten %1 s und starten dann ihren ersten Eintrag</translation>
    </message>
    <message>
        <source>Show or set how long the boot menu (--target menu) waits before it boots its first entry.</source>
        <translation>Zeigt oder setzt, wie lange das Startmenü (--target menu) wartet, bevor es seinen ersten Eintrag startet.</translation>
    </message>
    <message>
        <source>New machines wait for an admin again.</source>
        <translation>Neue Maschinen warten wieder auf einen Admin.</translation>
    </message>
    <message>
        <source>drover: give an image or --none, not both</source>
        <translation>drover: geben Sie ein Image oder --none an, nicht beides</translation>
    </message>
    <message>
        <source>new machines wait for an admin (none set)</source>
        <translation>neue Maschinen warten auf einen Admin (keines gesetzt)</translation>
    </message>
    <message>
        <source>new machines boot %1 until they are assigned an image</source>
        <translation>neue Maschinen booten %1, bis ihnen ein Image zugewiesen ist</translation>
    </message>
    <message>
        <source>there is no image %1 in the catalog</source>
        <translation>im Katalog gibt es kein Image %1</translation>
    </message>
    <message>
        <source>note: unknown machines boot it only under the register policy (Server panel, or drover --headless --unknown register)</source>
        <translation>Hinweis: unbekannte Maschinen booten es nur mit der Regel „registrieren“ (Server-Bereich oder drover --headless --unknown register)</translation>
    </message>
    <message>
        <source>Show or set the image unknown machines boot once registered (policy register): an inventory or burn-in image, until someone assigns them one.</source>
        <translation>Zeigt oder setzt das Image, das unbekannte Maschinen nach der Registrierung booten (Regel register): ein Inventar- oder Burn-in-Image, bis ihnen jemand eines zuweist.</translation>
    </message>
    <message>
        <source>Layer uploads a machine serves at once (K, default %1).</source>
        <translation>Gleichzeitige Layer-Uploads einer Maschine (K, Vorgabe %1).</translation>
    </message>
    <message>
        <source>Layer downloads Drover serves at once while neighbours could serve them (S, default %1): about the uplink&apos;s rate over a machine&apos;s link.</source>
        <translation>Gleichzeitige Layer-Downloads von Drover, solange Nachbarn sie liefern könnten (S, Vorgabe %1): etwa die Rate des Uplinks geteilt durch die Anbindung einer Maschine.</translation>
    </message>
    <message>
        <source>&apos;%1&apos; is not one of on, off</source>
        <translation>„%1“ ist weder on noch off</translation>
    </message>
    <message>
        <source>--%1 &apos;%2&apos; is not a number from 1 to 1000</source>
        <translation>--%1 „%2“ ist keine Zahl von 1 bis 1000</translation>
    </message>
    <message>
        <source>machines fetch layers from their neighbours from their next boot: each serves %1 at once, Drover %2 while neighbours could</source>
        <translation>Maschinen holen Layer ab ihrem nächsten Start von ihren Nachbarn: jede liefert %1 gleichzeitig, Drover %2, solange Nachbarn liefern könnten</translation>
    </message>
    <message>
        <source>machines fetch every layer from Drover (peers off)</source>
        <translation>Maschinen holen jeden Layer von Drover (Nachbarn aus)</translation>
    </message>
    <message>
        <source>Show or set whether machines fetch layers from neighbours that hold them (every byte still checked against its digest) instead of all from Drover.</source>
        <translation>Zeigt oder setzt, ob Maschinen Layer von Nachbarn holen, die sie haben (jedes Byte weiterhin gegen seinen Digest geprüft), statt alle von Drover.</translation>
    </message>
</context>
<context>
    <name>BlobStore</name>
    <message>
        <source>cannot read the source: %1</source>
        <translation>die Quelle kann nicht gelesen werden: %1</translation>
    </message>
    <message>
        <source>more than the expected %1 bytes</source>
        <translation>mehr als die erwarteten %1 Bytes</translation>
    </message>
    <message>
        <source>cannot write %1: %2</source>
        <translation>%1 kann nicht geschrieben werden: %2</translation>
    </message>
    <message>
        <source>digest mismatch: expected %1, got %2</source>
        <translation>Digest stimmt nicht überein: erwartet %1, erhalten %2</translation>
    </message>
    <message>
        <source>cancelled</source>
        <translation>abgebrochen</translation>
    </message>
    <message>
        <source>cannot create the image store in %1</source>
        <translation>der Image-Speicher kann nicht in %1 angelegt werden</translation>
    </message>
    <message>
        <source>cannot read %1: %2</source>
        <translation>%1 kann nicht gelesen werden: %2</translation>
    </message>
    <message>
        <source>%1: %2</source>
        <translation>%1: %2</translation>
    </message>
    <message>
        <source>the source is not open for reading</source>
        <translation>die Quelle ist nicht zum Lesen geöffnet</translation>
    </message>
    <message>
        <source>cannot create %1</source>
        <translation>%1 kann nicht erstellt werden</translation>
    </message>
    <message>
        <source>%1 bytes, expected %2</source>
        <translation>%1 Bytes, erwartet %2</translation>
    </message>
    <message>
        <source>blob %1 was removed while being written; try again</source>
        <translation>Blob %1 wurde während des Schreibens entfernt; versuchen Sie es erneut</translation>
    </message>
    <message>
        <source>cannot create %1: %2</source>
        <translation>%1 kann nicht erstellt werden: %2</translation>
    </message>
    <message>
        <source>cannot sync %1: %2</source>
        <translation>%1 kann nicht synchronisiert werden: %2</translation>
    </message>
    <message>
        <source>cannot store %1: %2</source>
        <translation>%1 kann nicht gespeichert werden: %2</translation>
    </message>
    <message>
        <source>blob %1 is missing</source>
        <translation>Blob %1 fehlt</translation>
    </message>
    <message>
        <source>blob %1 is %2 bytes, more than the %3 expected</source>
        <translation>Blob %1 hat %2 Bytes, mehr als die erwarteten %3</translation>
    </message>
    <message>
        <source>cannot read blob %1: %2</source>
        <translation>Blob %1 kann nicht gelesen werden: %2</translation>
    </message>
    <message>
        <source>blob %1 is corrupt: its content hashes to %2</source>
        <translation>Blob %1 ist beschädigt: sein Inhalt ergibt den Hash %2</translation>
    </message>
    <message>
        <source>blob %1 is %2 bytes, expected %3</source>
        <translation>Blob %1 hat %2 Bytes, erwartet %3</translation>
    </message>
    <message>
        <source>blob %1: %2</source>
        <translation>Blob %1: %2</translation>
    </message>
</context>
<context>
    <name>BootDecision</name>
    <message>
        <source>&apos;%1&apos; is not a MAC address</source>
        <translation>&apos;%1&apos; ist keine MAC-Adresse</translation>
    </message>
    <message>
        <source>unknown machine %1: not managed by Drover (unknown machines are ignored)</source>
        <translation>unbekannte Maschine %1: nicht von Drover verwaltet (unbekannte Maschinen werden ignoriert)</translation>
    </message>
    <message>
        <source>unknown machine %1: too many new machines at once, registering it later</source>
        <translation>unbekannte Maschine %1: zu viele neue Maschinen auf einmal, sie wird später registriert</translation>
    </message>
    <message>
        <source>cannot register %1: %2</source>
        <translation>%1 kann nicht registriert werden: %2</translation>
    </message>
    <message>
        <source>registered as %1; assign it an image in Drover</source>
        <translation>als %1 registriert; weisen Sie der Maschine in Drover ein Image zu</translation>
    </message>
    <message>
        <source>no image is assigned to %1 and there is no default image</source>
        <translation>%1 ist kein Image zugewiesen und es gibt kein Standard-Image</translation>
    </message>
    <message>
        <source>no image is assigned to %1, its group %2, or as the default</source>
        <translation>weder %1 noch der Gruppe %2 ist ein Image zugewiesen, und es gibt kein Standard-Image</translation>
    </message>
    <message>
        <source>%1 is new and waits for an admin: assign it an image</source>
        <translation>%1 ist neu und wartet auf einen Administrator: weisen Sie der Maschine ein Image zu</translation>
    </message>
    <message numerus="yes">
        <source>%1 failed %n boot(s) in a row; booting its last-known-good image %2 instead of %3</source>
        <translation>
            <numerusform>%1: %n fehlgeschlagener Bootvorgang in Folge; das letzte funktionierende Image %2 wird statt %3 gebootet</numerusform>
            <numerusform>%1: %n fehlgeschlagene Bootvorgänge in Folge; das letzte funktionierende Image %2 wird statt %3 gebootet</numerusform>
        </translation>
    </message>
    <message>
        <source>image %1 is assigned but not in the catalog</source>
        <translation>Image %1 ist zugewiesen, aber nicht im Katalog</translation>
    </message>
    <message>
        <source>image %1 cannot boot: %2</source>
        <translation>Image %1 kann nicht booten: %2</translation>
    </message>
    <message>
        <source>image %1 cannot boot: its manifest names no kernel or no initrd</source>
        <translation>Image %1 kann nicht booten: sein Manifest nennt keinen Kernel oder keine Initrd</translation>
    </message>
    <message>
        <source>image %1 cannot boot: blob %2 is missing from the store</source>
        <translation>Image %1 kann nicht booten: Blob %2 fehlt im Speicher</translation>
    </message>
    <message>
        <source>image %1 cannot boot: blob %2 has %3 bytes in the store, the manifest says %4</source>
        <translation>Image %1 kann nicht booten: Blob %2 hat im Speicher %3 Bytes, laut Manifest %4</translation>
    </message>
    <message>
        <source>the catalog names no valid manifest digest for it (&apos;%1&apos;)</source>
        <translation>der Katalog nennt keinen gültigen Manifest-Digest dafür (&apos;%1&apos;)</translation>
    </message>
    <message numerus="yes">
        <source>%1 failed %n boot(s) in a row with no other image known to work; trying %2 again in %3 s</source>
        <translation>
            <numerusform>Bei %1 ist %n Bootvorgang in Folge fehlgeschlagen, und kein anderes Image ist als funktionierend bekannt; %2 wird in %3 s erneut versucht</numerusform>
            <numerusform>Bei %1 sind %n Bootvorgänge in Folge fehlgeschlagen, und kein anderes Image ist als funktionierend bekannt; %2 wird in %3 s erneut versucht</numerusform>
        </translation>
    </message>
    <message>
        <source>%1&apos;s boot menu has no entry &apos;%2&apos;</source>
        <translation>Das Startmenü von %1 hat keinen Eintrag &apos;%2&apos;</translation>
    </message>
    <message>
        <source>chosen from the boot menu</source>
        <translation>im Startmenü gewählt</translation>
    </message>
    <message>
        <source>%1 is assigned the ISO %2, which is not in the catalog</source>
        <translation>%1 ist das ISO %2 zugewiesen, das nicht im Katalog ist</translation>
    </message>
    <message>
        <source>the ISO %1 (%2) is not in this server&apos;s store; add it here with drover iso add</source>
        <translation>das ISO %1 (%2) ist nicht im Speicher dieses Servers; fügen Sie es hier mit drover iso add hinzu</translation>
    </message>
    <message>
        <source>%1 is new: it boots %2, the image for new machines, until it is assigned one</source>
        <translation>%1 ist neu: sie bootet %2, das Image für neue Maschinen, bis ihr eines zugewiesen ist</translation>
    </message>
</context>
<context>
    <name>BootFile</name>
    <message>
        <source>%1 by TFTP</source>
        <translation>%1 per TFTP</translation>
    </message>
    <message>
        <source>%1 by HTTP</source>
        <translation>%1 per HTTP</translation>
    </message>
    <message>
        <source>iPXE client, but no HTTP server URL is set</source>
        <translation>iPXE-Client, aber keine HTTP-Server-URL festgelegt</translation>
    </message>
    <message>
        <source>UEFI HTTP Boot client of architecture %1 (only x86-64 is served)</source>
        <translation>UEFI-HTTP-Boot-Client mit Architektur %1 (nur x86-64 wird bedient)</translation>
    </message>
    <message>
        <source>UEFI HTTP Boot client, but no HTTP server URL is set</source>
        <translation>UEFI-HTTP-Boot-Client, aber keine HTTP-Server-URL festgelegt</translation>
    </message>
    <message>
        <source>not a PXE client (vendor class &apos;%1&apos;)</source>
        <translation>kein PXE-Client (Herstellerklasse &apos;%1&apos;)</translation>
    </message>
    <message>
        <source>PXE client of architecture %1 (Drover serves BIOS and x86-64 UEFI)</source>
        <translation>PXE-Client mit Architektur %1 (Drover bedient BIOS und x86-64-UEFI)</translation>
    </message>
</context>
<context>
    <name>BootRecorder</name>
    <message numerus="yes">
        <source>removed %n old boot event(s) (keeping at most %1, none older than %2 days)</source>
        <translation>
            <numerusform>%n altes Boot-Ereignis entfernt (höchstens %1 bleiben, keines älter als %2 Tage)</numerusform>
            <numerusform>%n alte Boot-Ereignisse entfernt (höchstens %1 bleiben, keines älter als %2 Tage)</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>BootRoutes</name>
    <message>
        <source>refused a request from %1: %2 %3</source>
        <translation>Anfrage von %1 abgelehnt: %2 %3</translation>
    </message>
    <message>
        <source>chain script served to %1</source>
        <translation>Chain-Skript an %1 ausgeliefert</translation>
    </message>
    <message>
        <source>script served to %1: boots %2</source>
        <translation>Skript an %1 ausgeliefert: bootet %2</translation>
    </message>
    <message>
        <source>script served to %1: boots %2 (%3)</source>
        <translation>Skript an %1 ausgeliefert: bootet %2 (%3)</translation>
    </message>
    <message>
        <source>script served to %1: nothing boots: %2</source>
        <translation>Skript an %1 ausgeliefert: nichts wird gebootet: %2</translation>
    </message>
    <message>
        <source>script served to %1: %2</source>
        <translation>Skript an %1 ausgeliefert: %2</translation>
    </message>
    <message>
        <source>registered unknown machine %1 as %2%3</source>
        <translation>unbekannte Maschine %1 als %2%3 registriert</translation>
    </message>
    <message>
        <source>layer %1</source>
        <translation>Schicht %1</translation>
    </message>
    <message>
        <source>blob</source>
        <translation>Blob</translation>
    </message>
    <message>
        <source>%1 %2 sent to %3: %4 in %5 s</source>
        <translation>%1 %2 an %3 gesendet: %4 in %5 s</translation>
    </message>
    <message>
        <source>%1 %2 to %3 interrupted after %4 of %5</source>
        <translation>%1 %2 an %3 nach %4 von %5 abgebrochen</translation>
    </message>
    <message>
        <source> (from byte %1)</source>
        <translation> (ab Byte %1)</translation>
    </message>
    <message>
        <source>%1 sent to %2 over HTTP (%3)</source>
        <translation>%1 per HTTP an %2 gesendet (%3)</translation>
    </message>
    <message>
        <source>%1 to %2 interrupted</source>
        <translation>%1 an %2 abgebrochen</translation>
    </message>
    <message>
        <source>%1 reports %2</source>
        <translation>%1 meldet %2</translation>
    </message>
    <message>
        <source>group %1 r%2</source>
        <translation>Gruppe %1 r%2</translation>
    </message>
    <message>
        <source>machine %1 r%2</source>
        <translation>Maschine %1 r%2</translation>
    </message>
    <message>
        <source>configuration request from %1: no machine has this MAC</source>
        <translation>Konfigurationsanfrage von %1: keine Maschine hat diese MAC</translation>
    </message>
    <message>
        <source>configuration of %1 cannot be served: %2</source>
        <translation>Konfiguration von %1 kann nicht ausgeliefert werden: %2</translation>
    </message>
    <message>
        <source>no configuration for %1 (asked from %2): the image boots as built</source>
        <translation>keine Konfiguration für %1 (angefragt von %2): das Image bootet wie gebaut</translation>
    </message>
    <message>
        <source>configuration of %1 cannot be rendered: %2</source>
        <translation>Konfiguration von %1 kann nicht erzeugt werden: %2</translation>
    </message>
    <message>
        <source>configuration served to %1: %2 (from %3)</source>
        <translation>Konfiguration an %1 ausgeliefert: %2 (aus %3)</translation>
    </message>
    <message>
        <source>cloud-init data of %1 cannot be served: %2</source>
        <translation>cloud-init-Daten von %1 können nicht ausgeliefert werden: %2</translation>
    </message>
    <message>
        <source>cloud-init data of %1 cannot be rendered: %2</source>
        <translation>cloud-init-Daten von %1 können nicht erzeugt werden: %2</translation>
    </message>
    <message>
        <source>cloud-init user-data served to %1 (from %2)</source>
        <translation>cloud-init-user-data an %1 ausgeliefert (aus %2)</translation>
    </message>
    <message>
        <source>cloud-init user-data served to %1 (no configuration: host name and DHCP only)</source>
        <translation>cloud-init-user-data an %1 ausgeliefert (keine Konfiguration: nur Hostname und DHCP)</translation>
    </message>
    <message>
        <source>report &apos;%1&apos; from %2 refused: %3</source>
        <translation>Meldung „%1“ von %2 abgelehnt: %3</translation>
    </message>
    <message>
        <source>reported no digest</source>
        <translation>keinen Digest gemeldet</translation>
    </message>
    <message>
        <source>booted %1, assigned %2</source>
        <translation>gebootet %1, zugewiesen %2</translation>
    </message>
    <message>
        <source>report &apos;%1&apos; from %2 refused: it names manifest %3, boot %4 was given %5</source>
        <translation>Meldung „%1“ von %2 abgelehnt: sie nennt das Manifest %3, Boot %4 bekam %5</translation>
    </message>
    <message>
        <source>%1 failed: %2 (its ready report is not counted)</source>
        <translation>%1 fehlgeschlagen: %2 (seine Bereit-Meldung zählt nicht)</translation>
    </message>
    <message>
        <source> [reported %1]</source>
        <translation> [gemeldet: %1]</translation>
    </message>
    <message>
        <source>no digest</source>
        <translation>kein Digest</translation>
    </message>
    <message>
        <source>possible cloned MAC %1: DHCP saw it at %2 and at %3 at once; it boots nowhere for now</source>
        <translation>möglicherweise geklonte MAC %1: DHCP sah sie gleichzeitig bei %2 und bei %3; sie bootet vorerst nirgends</translation>
    </message>
    <message>
        <source>possible cloned MAC %1: it sent SMBIOS UUID %2, the catalog holds %3 for %4</source>
        <translation>möglicherweise geklonte MAC %1: sie sandte die SMBIOS-UUID %2, der Katalog hat %3 für %4</translation>
    </message>
    <message>
        <source>cannot record the SMBIOS UUID of %1: %2</source>
        <translation>die SMBIOS-UUID von %1 kann nicht gespeichert werden: %2</translation>
    </message>
    <message>
        <source>possible cloned MAC %1: %2 must send its SMBIOS UUID and sent none</source>
        <translation>möglicherweise geklonte MAC %1: %2 muss seine SMBIOS-UUID senden und sandte keine</translation>
    </message>
    <message>
        <source>%1 must match an SMBIOS UUID and the catalog holds none for it yet</source>
        <translation>%1 muss zu einer SMBIOS-UUID passen, und der Katalog hat noch keine dafür</translation>
    </message>
    <message>
        <source>%1 asked for the boot of %2, which DHCP saw at %3</source>
        <translation>%1 fragte nach dem Boot von %2, den DHCP bei %3 sah</translation>
    </message>
    <message>
        <source>%1 asked for the boot of %2, but DHCP never saw that MAC</source>
        <translation>%1 fragte nach dem Boot von %2, aber DHCP hat diese MAC nie gesehen</translation>
    </message>
    <message>
        <source>the boot&apos;s token has expired</source>
        <translation>das Token des Boots ist abgelaufen</translation>
    </message>
    <message>
        <source>wrong token</source>
        <translation>falsches Token</translation>
    </message>
    <message>
        <source>no such boot of %1 on record</source>
        <translation>kein solcher Boot von %1 verzeichnet</translation>
    </message>
    <message>
        <source>boot %1 was replaced by the newer boot %2</source>
        <translation>Boot %1 wurde durch den neueren Boot %2 ersetzt</translation>
    </message>
    <message>
        <source>boot %1 was issued to %2, not to %3</source>
        <translation>Boot %1 wurde an %2 ausgegeben, nicht an %3</translation>
    </message>
    <message>
        <source>boot %1 is past its deadline</source>
        <translation>Boot %1 hat seine Frist überschritten</translation>
    </message>
    <message>
        <source>configuration request from %1 refused: %2</source>
        <translation>Konfigurationsabfrage von %1 abgelehnt: %2</translation>
    </message>
    <message>
        <source>configuration request from %1 refused: boot %2 has fetched its configuration already</source>
        <translation>Konfigurationsabfrage von %1 abgelehnt: Boot %2 hat seine Konfiguration schon abgeholt</translation>
    </message>
    <message>
        <source>cloud-init request from %1 refused: the URL carries no boot token</source>
        <translation>cloud-init-Abfrage von %1 abgelehnt: die URL enthält kein Boot-Token</translation>
    </message>
    <message>
        <source>cloud-init request from %1 refused: %2</source>
        <translation>cloud-init-Abfrage von %1 abgelehnt: %2</translation>
    </message>
    <message>
        <source>cloud-init request from %1 refused: boot %2 has fetched %3 already</source>
        <translation>cloud-init-Abfrage von %1 abgelehnt: Boot %2 hat %3 schon abgeholt</translation>
    </message>
    <message>
        <source>refused: %1</source>
        <translation>abgelehnt: %1</translation>
    </message>
    <message>
        <source>script served to %1: %2 instead of an image</source>
        <translation>Skript an %1 ausgeliefert: %2 statt eines Abbilds</translation>
    </message>
    <message>
        <source>script served to %1: %2 instead of an image (%3)</source>
        <translation>Skript an %1 ausgeliefert: %2 statt eines Abbilds (%3)</translation>
    </message>
    <message>
        <source>test results</source>
        <translation>Testergebnisse</translation>
    </message>
    <message>
        <source>hardware inventory</source>
        <translation>Hardware-Inventar</translation>
    </message>
    <message>
        <source>%1 from %2 refused: %3</source>
        <translation>%1 von %2 abgelehnt: %3</translation>
    </message>
    <message>
        <source>%1 from %2 refused: boot %3 has reported them already</source>
        <translation>%1 von %2 abgelehnt: Boot %3 hat sie schon gemeldet</translation>
    </message>
    <message>
        <source>%1 request</source>
        <translation>%1-Anfrage</translation>
    </message>
    <message>
        <source>%1 fetches layer %2 from %3 (%4)</source>
        <translation>%1 holt Layer %2 von %3 (%4)</translation>
    </message>
    <message>
        <source>layer %1 %2</source>
        <translation>Layer %1 %2</translation>
    </message>
    <message>
        <source>%1 fetched %2 from its neighbour %3, verified</source>
        <translation>%1 hat %2 von seinem Nachbarn %3 geholt, geprüft</translation>
    </message>
    <message>
        <source>served bytes that do not match</source>
        <translation>lieferte Bytes, die nicht passen,</translation>
    </message>
    <message>
        <source>stalled</source>
        <translation>blieb stehen</translation>
    </message>
    <message>
        <source>did not answer</source>
        <translation>antwortete nicht</translation>
    </message>
    <message>
        <source>%1: the neighbour %2 %3 for %4; fetching it elsewhere</source>
        <translation>%1: der Nachbar %2 %3 bei %4; er wird anderswo geholt</translation>
    </message>
    <message>
        <source> (it was not sent there: nobody is blamed)</source>
        <translation> (sie wurde nicht dorthin geschickt: niemand wird beschuldigt)</translation>
    </message>
    <message>
        <source>; %1 serves no more layers until it boots again</source>
        <translation>; %1 liefert keine Layer mehr, bis er neu startet</translation>
    </message>
</context>
<context>
    <name>BootTarget</name>
    <message>
        <source>Local disk</source>
        <translation>Lokale Festplatte</translation>
    </message>
    <message>
        <source>Memory test (memtest86+)</source>
        <translation>Speichertest (memtest86+)</translation>
    </message>
    <message>
        <source>Boot menu</source>
        <translation>Startmenü</translation>
    </message>
    <message>
        <source>ISO %1</source>
        <translation>ISO %1</translation>
    </message>
</context>
<context>
    <name>BootTokens</name>
    <message>
        <source>cannot read %1: %2</source>
        <translation>%1 kann nicht gelesen werden: %2</translation>
    </message>
    <message>
        <source>%1 holds no key of 64 hex digits</source>
        <translation>%1 enthält keinen Schlüssel aus 64 Hexziffern</translation>
    </message>
    <message>
        <source>cannot create %1: %2</source>
        <translation>%1 kann nicht angelegt werden: %2</translation>
    </message>
    <message>
        <source>cannot write %1: %2</source>
        <translation>%1 kann nicht geschrieben werden: %2</translation>
    </message>
</context>
<context>
    <name>BootWatch</name>
    <message numerus="yes">
        <source>%n min</source>
        <translation>
            <numerusform>%n min</numerusform>
            <numerusform>%n min</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n s</source>
        <translation>
            <numerusform>%n s</numerusform>
            <numerusform>%n s</numerusform>
        </translation>
    </message>
    <message>
        <source>%1 booted again %2 after its last boot, which reached &apos;%3&apos; but never reported ready with %4</source>
        <translation>%1 hat %2 nach dem letzten Booten erneut gebootet; dieses erreichte &apos;%3&apos;, meldete mit %4 aber nie Bereitschaft</translation>
    </message>
    <message>
        <source>%1 did not reach ready with %2 within %3 (last phase: %4)</source>
        <translation>%1 hat mit %2 nicht innerhalb von %3 den Zustand „bereit“ erreicht (letzte Phase: %4)</translation>
    </message>
</context>
<context>
    <name>BuildCache</name>
    <message>
        <source>cannot create the build cache %1</source>
        <translation>der Build-Cache %1 kann nicht erstellt werden</translation>
    </message>
    <message>
        <source>cannot write the build cache entry %1: %2</source>
        <translation>der Build-Cache-Eintrag %1 kann nicht geschrieben werden: %2</translation>
    </message>
    <message>
        <source>cannot create the work directory %1</source>
        <translation>das Arbeitsverzeichnis %1 kann nicht erstellt werden</translation>
    </message>
</context>
<context>
    <name>BuildHelper</name>
    <message>
        <source>no build request on standard input</source>
        <translation>kein Bauauftrag auf der Standardeingabe</translation>
    </message>
    <message>
        <source>the build request is longer than %1 bytes</source>
        <translation>der Bauauftrag ist länger als %1 Bytes</translation>
    </message>
    <message>
        <source>cannot create %1</source>
        <translation>%1 kann nicht angelegt werden</translation>
    </message>
    <message>
        <source>cannot set the owner and mode of %1: %2</source>
        <translation>Eigentümer und Rechte von %1 können nicht gesetzt werden: %2</translation>
    </message>
    <message>
        <source>the build helper runs as root, through pkexec</source>
        <translation>der Bauhelfer läuft als root, über pkexec</translation>
    </message>
    <message>
        <source>the recipe&apos;s directory must be an absolute path, not %1</source>
        <translation>das Verzeichnis des Rezepts muss ein absoluter Pfad sein, nicht %1</translation>
    </message>
    <message>
        <source>a recipe whose kernel comes from another image (from.kernelImage %1) builds only as root: run drover build as root</source>
        <translation>ein Rezept, dessen Kernel aus einem anderen Abbild kommt (from.kernelImage %1), baut nur als root: drover build als root ausführen</translation>
    </message>
    <message>
        <source>cannot open the helper&apos;s lab %1: %2</source>
        <translation>das Labor des Helfers %1 lässt sich nicht öffnen: %2</translation>
    </message>
    <message>
        <source>--tag: %1 is not NAME:VERSION</source>
        <translation>--tag: %1 ist nicht NAME:VERSION</translation>
    </message>
    <message>
        <source>cannot write the bundle: %1</source>
        <translation>das Bundle kann nicht geschrieben werden: %1</translation>
    </message>
    <message>
        <source>cannot give the bundle to uid %1: %2</source>
        <translation>das Bundle kann nicht an UID %1 übergeben werden: %2</translation>
    </message>
    <message>
        <source>cannot remove %1 from the helper&apos;s store: %2</source>
        <translation>%1 lässt sich nicht aus dem Speicher des Helfers entfernen: %2</translation>
    </message>
    <message>
        <source>cannot remove %1 from the helper&apos;s catalog: %2</source>
        <translation>%1 lässt sich nicht aus dem Katalog des Helfers entfernen: %2</translation>
    </message>
    <message>
        <source>cannot clean the helper&apos;s store: %1</source>
        <translation>der Speicher des Helfers lässt sich nicht aufräumen: %1</translation>
    </message>
    <message>
        <source>the build request is not JSON: %1 at byte %2</source>
        <translation>der Bauauftrag ist kein JSON: %1 bei Byte %2</translation>
    </message>
    <message>
        <source>the build request holds no recipe object</source>
        <translation>der Bauauftrag enthält kein Rezept-Objekt</translation>
    </message>
</context>
<context>
    <name>BuildVerbs</name>
    <message>
        <source>cached</source>
        <translation>im Cache</translation>
    </message>
    <message>
        <source>done</source>
        <translation>fertig</translation>
    </message>
    <message>
        <source>Publish as NAME:VERSION instead of the recipe&apos;s name and version.</source>
        <translation>Als NAME:VERSION statt unter Name und Version des Rezepts veröffentlichen.</translation>
    </message>
    <message>
        <source>Build cache directory (default: &lt;data dir&gt;/cache/build).</source>
        <translation>Build-Cache-Verzeichnis (Standard: &lt;Datenverzeichnis&gt;/cache/build).</translation>
    </message>
    <message>
        <source>Build the base layer again even when it is cached.</source>
        <translation>Die Basisschicht neu bauen, auch wenn sie im Cache liegt.</translation>
    </message>
    <message>
        <source>Print the output of every build tool.</source>
        <translation>Die Ausgabe jedes Build-Werkzeugs anzeigen.</translation>
    </message>
    <message>
        <source>drover: --tag &apos;%1&apos; is not NAME:VERSION</source>
        <translation>drover: --tag &apos;%1&apos; hat nicht die Form NAME:VERSION</translation>
    </message>
    <message>
        <source>drover: cancelling the build…</source>
        <translation>drover: der Build wird abgebrochen…</translation>
    </message>
    <message>
        <source>cannot start the build</source>
        <translation>der Build kann nicht gestartet werden</translation>
    </message>
    <message>
        <source>build of %1 failed: %2</source>
        <translation>Build von %1 fehlgeschlagen: %2</translation>
    </message>
    <message>
        <source>STAGE</source>
        <translation>STAGE</translation>
    </message>
    <message>
        <source>TIME</source>
        <translation>TIME</translation>
    </message>
    <message>
        <source>SIZE</source>
        <translation>SIZE</translation>
    </message>
    <message>
        <source>NOTE</source>
        <translation>NOTE</translation>
    </message>
    <message>
        <source>published %1 (%2) in %3 s; a machine downloads %4</source>
        <translation>%1 (%2) in %3 s veröffentlicht; eine Maschine lädt %4 herunter</translation>
    </message>
    <message>
        <source>Build an image from a recipe and publish it (as root, or with an administrator&apos;s password through pkexec).</source>
        <translation>Ein Image aus einem Rezept bauen und veröffentlichen (als root, oder mit dem Passwort eines Administrators über pkexec).</translation>
    </message>
    <message>
        <source>Build on disk instead of in memory and keep the build tree for inspection (until the next build).</source>
        <translation>Auf der Festplatte statt im Speicher bauen und den Build-Baum zur Untersuchung behalten (bis zum nächsten Build).</translation>
    </message>
    <message>
        <source>The image&apos;s NAME:VERSION (required).</source>
        <translation>NAME:VERSION des Images (erforderlich).</translation>
    </message>
    <message>
        <source>The Debian suite of --kernel-package (default: trixie).</source>
        <translation>Die Debian-Suite von --kernel-package (Standard: trixie).</translation>
    </message>
    <message>
        <source>The kernel command line the image boots with.</source>
        <translation>Die Kernel-Befehlszeile, mit der das Image startet.</translation>
    </message>
    <message>
        <source>drover: --tag NAME:VERSION is required</source>
        <translation>drover: --tag NAME:VERSION ist erforderlich</translation>
    </message>
    <message>
        <source>Build an image from a root filesystem archive, keeping owners, modes, links, device nodes and extended attributes (as root, or with an administrator&apos;s password through pkexec).</source>
        <translation>Ein Image aus einem Archiv eines Wurzeldateisystems bauen, mit Eigentümern, Rechten, Links, Gerätedateien und erweiterten Attributen (als root, oder mit dem Passwort eines Administrators über pkexec).</translation>
    </message>
    <message>
        <source>Build an image from a container image: an OCI image layout, or an oci-archive or docker-archive tarball (skopeo copy, podman save, docker save); its layers are checked against their digests and stacked with their whiteouts (as root, or with an administrator&apos;s password through pkexec).</source>
        <translation>Ein Image aus einem Container-Image bauen: einem OCI-Image-Layout oder einem oci-archive- oder docker-archive-Tarball (skopeo copy, podman save, docker save); seine Schichten werden gegen ihre Prüfsummen geprüft und mit ihren Whiteouts gestapelt (als root, oder mit dem Passwort eines Administrators über pkexec).</translation>
    </message>
    <message>
        <source>For a root without a kernel: take the kernel and its modules from this directory (boot/vmlinuz-RELEASE and lib/modules/RELEASE, as dpkg-deb -x or a kernel&apos;s make install leave them).</source>
        <translation>Für ein System ohne Kernel: Kernel und Module aus diesem Verzeichnis nehmen (boot/vmlinuz-RELEASE und lib/modules/RELEASE, wie dpkg-deb -x oder make install eines Kernels sie hinterlassen).</translation>
    </message>
    <message>
        <source>For a root without a kernel: take the kernel and its modules from this Debian package (e.g. linux-image-amd64, or linux-image-amd64=VERSION for that version).</source>
        <translation>Für ein Wurzeldateisystem ohne Kernel: Kernel und Module aus diesem Debian-Paket nehmen (z. B. linux-image-amd64, oder linux-image-amd64=VERSION für diese Version).</translation>
    </message>
    <message>
        <source>For a root without a kernel: take the kernel and its modules from this image of the store.</source>
        <translation>Für ein Wurzeldateisystem ohne Kernel: Kernel und Module aus diesem Abbild des Speichers nehmen.</translation>
    </message>
    <message>
        <source>drover: cancelling the export…</source>
        <translation>drover: Export wird abgebrochen …</translation>
    </message>
    <message>
        <source>cannot export %1: %2</source>
        <translation>%1 kann nicht exportiert werden: %2</translation>
    </message>
    <message>
        <source>exported %1 to %2 as a container image (%3); root %4</source>
        <translation>%1 als Container-Abbild nach %2 exportiert (%3); Wurzel %4</translation>
    </message>
    <message>
        <source>Write an image&apos;s root, its kernel in /boot, as a container image (OCI) to run before machines boot it: an OCI image layout directory, or an oci-archive for FILE.tar; prints the root&apos;s digest, the same for the same root (needs root).</source>
        <translation>Die Wurzel eines Abbilds, mit seinem Kernel in /boot, als Container-Abbild (OCI) schreiben, um es auszuführen, bevor Maschinen es booten: ein OCI-Image-Layout-Verzeichnis, oder ein oci-archive für DATEI.tar; gibt den Digest der Wurzel aus, für dieselbe Wurzel stets derselbe (braucht root).</translation>
    </message>
</context>
<context>
    <name>Builder</name>
    <message>
        <source>the image has no kernel in /boot: add linux-image-%1 to packages</source>
        <translation>das Image hat keinen Kernel in /boot: fügen Sie linux-image-%1 zu packages hinzu</translation>
    </message>
    <message>
        <source>several kernels in /boot; using %1</source>
        <translation>mehrere Kernel in /boot; %1 wird verwendet</translation>
    </message>
    <message>
        <source>cannot move the kernel out of %1</source>
        <translation>der Kernel kann nicht aus %1 verschoben werden</translation>
    </message>
    <message>
        <source>kernel %1</source>
        <translation>Kernel %1</translation>
    </message>
    <message>
        <source>the kernel has no modules in %1</source>
        <translation>der Kernel hat keine Module in %1</translation>
    </message>
    <message>
        <source>kernel modules: keeping all %1</source>
        <translation>Kernelmodule: alle %1 werden behalten</translation>
    </message>
    <message>
        <source>cannot remove the module %1: %2</source>
        <translation>das Modul %1 kann nicht entfernt werden: %2</translation>
    </message>
    <message>
        <source>kernel modules: kept %1 of %2 (classes %3 and Drover&apos;s init), removed %4 MiB</source>
        <translation>Kernelmodule: %1 von %2 behalten (Klassen %3 und Drovers Init), %4 MiB entfernt</translation>
    </message>
    <message>
        <source>cached base %1 under key %2</source>
        <translation>Basis %1 unter Schlüssel %2 im Cache abgelegt</translation>
    </message>
    <message>
        <source>cannot create %1</source>
        <translation>%1 kann nicht erstellt werden</translation>
    </message>
    <message>
        <source>adding the whole root</source>
        <translation>das gesamte Wurzelverzeichnis wird hinzugefügt</translation>
    </message>
    <message>
        <source>no static busybox: install busybox-static on this machine or add it to the recipe&apos;s packages</source>
        <translation>kein statisches busybox: installieren Sie busybox-static auf diesem Rechner oder fügen Sie es zu den packages des Rezepts hinzu</translation>
    </message>
    <message>
        <source>busybox from %1</source>
        <translation>busybox aus %1</translation>
    </message>
    <message>
        <source>the image</source>
        <translation>dem Image</translation>
    </message>
    <message>
        <source>modules not in kernel %1: %2</source>
        <translation>Module nicht in Kernel %1: %2</translation>
    </message>
    <message numerus="yes">
        <source>%n modules; built in: %1</source>
        <translation>
            <numerusform>%n Modul; eingebaut: %1</numerusform>
            <numerusform>%n Module; eingebaut: %1</numerusform>
        </translation>
    </message>
    <message>
        <source>base layer %1 cached</source>
        <translation>Basisschicht %1 im Cache abgelegt</translation>
    </message>
    <message>
        <source>mmdebstrap failed (%1); its last lines:
%2</source>
        <translation>mmdebstrap ist fehlgeschlagen (%1); die letzten Zeilen:
%2</translation>
    </message>
    <message numerus="yes">
        <source>%n packages</source>
        <translation>
            <numerusform>%n Paket</numerusform>
            <numerusform>%n Pakete</numerusform>
        </translation>
    </message>
    <message>
        <source>removed %1</source>
        <translation>%1 entfernt</translation>
    </message>
    <message>
        <source>cannot remove %1</source>
        <translation>%1 kann nicht entfernt werden</translation>
    </message>
    <message>
        <source>package &quot;%1&quot; is not in %2 on the mirror</source>
        <translation>Paket &quot;%1&quot; ist auf dem Spiegelserver nicht in %2</translation>
    </message>
    <message>
        <source>package &quot;%1&quot; has no installable version in %2 (a virtual package? name one that provides it)</source>
        <translation>Paket &quot;%1&quot; hat keine installierbare Version in %2 (ein virtuelles Paket? Geben Sie eines an, das es bereitstellt)</translation>
    </message>
    <message>
        <source>version %1 of package &quot;%2&quot; is not in %3</source>
        <translation>Version %1 von Paket &quot;%2&quot; ist nicht in %3</translation>
    </message>
    <message>
        <source>cancelled</source>
        <translation>abgebrochen</translation>
    </message>
    <message>
        <source>%1 failed (%2); its last lines:
%3</source>
        <translation>%1 ist fehlgeschlagen (%2); die letzten Zeilen:
%3</translation>
    </message>
    <message>
        <source>building an image needs root (mmdebstrap in root mode, loop and overlay mounts); run drover build as root</source>
        <translation>das Bauen eines Images erfordert Root-Rechte (mmdebstrap im Root-Modus, Loop- und Overlay-Mounts); führen Sie drover build als root aus</translation>
    </message>
    <message>
        <source>missing tools: %1 (Debian packages mmdebstrap, squashfs-tools or erofs-utils, kmod, coreutils)</source>
        <translation>fehlende Werkzeuge: %1 (Debian-Pakete mmdebstrap, squashfs-tools oder erofs-utils, kmod, coreutils)</translation>
    </message>
    <message>
        <source>distro.mirror is not set and the host&apos;s apt configuration (/etc/apt) names no Debian mirror</source>
        <translation>distro.mirror ist nicht gesetzt und die apt-Konfiguration des Hosts (/etc/apt) nennt keinen Debian-Spiegelserver</translation>
    </message>
    <message>
        <source>Drover&apos;s init is missing: %1</source>
        <translation>Drovers Init fehlt: %1</translation>
    </message>
    <message>
        <source>fetching the %1 release file</source>
        <translation>Release-Datei von %1 wird abgerufen</translation>
    </message>
    <message>
        <source>%1; reusing the newest cached base layer built from this recipe</source>
        <translation>%1; die neueste zwischengespeicherte Basisschicht aus diesem Rezept wird wiederverwendet</translation>
    </message>
    <message>
        <source>the %1 release file has no Date; set sourceDateEpoch in the recipe</source>
        <translation>die Release-Datei von %1 hat kein Date-Feld; setzen Sie sourceDateEpoch im Rezept</translation>
    </message>
    <message>
        <source>the work tree stays in %1</source>
        <translation>der Arbeitsbaum bleibt in %1 erhalten</translation>
    </message>
    <message>
        <source>cannot create %1 for the chroot</source>
        <translation>%1 für die chroot-Umgebung kann nicht erstellt werden</translation>
    </message>
    <message>
        <source>cannot create /dev/%1 for the chroot</source>
        <translation>/dev/%1 für die chroot-Umgebung kann nicht erstellt werden</translation>
    </message>
    <message numerus="yes">
        <source>%n files</source>
        <translation>
            <numerusform>%n Datei</numerusform>
            <numerusform>%n Dateien</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n scripts</source>
        <translation>
            <numerusform>%n Skript</numerusform>
            <numerusform>%n Skripte</numerusform>
        </translation>
    </message>
    <message>
        <source>warning: %1 is missing; this image will not report ready</source>
        <translation>Warnung: %1 fehlt; dieses Image wird nicht melden, dass es bereit ist</translation>
    </message>
    <message>
        <source>scripts[%1]: cannot read %2</source>
        <translation>scripts[%1]: %2 kann nicht gelesen werden</translation>
    </message>
    <message>
        <source>running %1</source>
        <translation>%1 wird ausgeführt</translation>
    </message>
    <message>
        <source>scripts[%1] (%2)</source>
        <translation>scripts[%1] (%2)</translation>
    </message>
    <message>
        <source>services: the image has no systemctl; add systemd-sysv to packages</source>
        <translation>services: das Image hat kein systemctl; fügen Sie systemd-sysv zu packages hinzu</translation>
    </message>
    <message>
        <source>enabling %1</source>
        <translation>%1 wird aktiviert</translation>
    </message>
    <message>
        <source>disabling %1</source>
        <translation>%1 wird deaktiviert</translation>
    </message>
    <message>
        <source>waiting for another build that is using the package cache</source>
        <translation>warte auf einen anderen Build, der den Paket-Cache verwendet</translation>
    </message>
    <message>
        <source>Drover&apos;s unit %1 is missing: %2</source>
        <translation>Drovers Unit %1 fehlt: %2</translation>
    </message>
    <message>
        <source>mmdebstrap left no list of the packages it unpacked (%1): %2</source>
        <translation>mmdebstrap hat keine Liste der entpackten Pakete hinterlassen (%1): %2</translation>
    </message>
    <message numerus="yes">
        <source>%n packages unpacked</source>
        <translation>
            <numerusform>%n Paket entpackt</numerusform>
            <numerusform>%n Pakete entpackt</numerusform>
        </translation>
    </message>
    <message>
        <source>Drover&apos;s %1 script is missing: %2</source>
        <translation>Drovers Skript %1 fehlt: %2</translation>
    </message>
    <message>
        <source>cannot read the image&apos;s /etc/inittab: %1</source>
        <translation>/etc/inittab des Images ist nicht lesbar: %1</translation>
    </message>
    <message>
        <source>the recipe&apos;s etc/inittab does not run /usr/lib/drover/ready, so machines booting this image would never report ready; add the line &quot;::once:/usr/lib/drover/ready&quot;</source>
        <translation>etc/inittab des Rezepts startet /usr/lib/drover/ready nicht; Rechner mit diesem Image würden nie „bereit“ melden. Fügen Sie die Zeile „::once:/usr/lib/drover/ready“ hinzu</translation>
    </message>
    <message>
        <source>busybox init: the recipe&apos;s /etc/inittab</source>
        <translation>busybox-init: /etc/inittab des Rezepts</translation>
    </message>
    <message>
        <source>Drover&apos;s inittab is missing: %1</source>
        <translation>Drovers inittab fehlt: %1</translation>
    </message>
    <message>
        <source>busybox init: Drover&apos;s /etc/inittab</source>
        <translation>busybox-init: Drovers /etc/inittab</translation>
    </message>
    <message>
        <source>the mirror&apos;s %1 Release file expired %2 ago: the mirror is stale, or a snapshot; for a snapshot you trust, set distro.checkValidUntil to false in the recipe</source>
        <translation>die Release-Datei von %1 auf dem Spiegel ist seit %2 abgelaufen: der Spiegel ist veraltet oder ein Schnappschuss; für einen vertrauenswürdigen Schnappschuss setzen Sie distro.checkValidUntil im Rezept auf false</translation>
    </message>
    <message>
        <source>hashing %1</source>
        <translation>berechne Prüfsumme von %1</translation>
    </message>
    <message>
        <source>unpacking %1</source>
        <translation>entpacke %1</translation>
    </message>
    <message>
        <source>cannot unpack the root filesystem archive %1: %2</source>
        <translation>das Archiv des Wurzeldateisystems %1 lässt sich nicht entpacken: %2</translation>
    </message>
    <message>
        <source>imported %1</source>
        <translation>%1 importiert</translation>
    </message>
    <message>
        <source>unpacking the kernel package %1 of %2</source>
        <translation>entpacke das Kernelpaket %1 aus %2</translation>
    </message>
    <message>
        <source>cannot create /boot and /lib/modules in the imported root</source>
        <translation>/boot und /lib/modules lassen sich im importierten System nicht anlegen</translation>
    </message>
    <message>
        <source>cannot move kernel %1 into the imported root</source>
        <translation>Kernel %1 lässt sich nicht in das importierte System verschieben</translation>
    </message>
    <message>
        <source>kernel %1 from %2</source>
        <translation>Kernel %1 aus %2</translation>
    </message>
    <message>
        <source>sysvinit: Drover&apos;s ready report and host keys as init scripts</source>
        <translation>sysvinit: Drovers Bereit-Meldung und Hostschlüssel als Init-Skripte</translation>
    </message>
    <message>
        <source>cannot list the layer %1 (%2)</source>
        <translation>die Schicht %1 lässt sich nicht auflisten (%2)</translation>
    </message>
    <message>
        <source>whiteout %1: %2</source>
        <translation>Whiteout %1: %2</translation>
    </message>
    <message>
        <source>whiteout %1: cannot remove %2</source>
        <translation>Whiteout %1: %2 lässt sich nicht entfernen</translation>
    </message>
    <message>
        <source>cannot unpack the container image archive %1: %2</source>
        <translation>das Archiv des Container-Images %1 lässt sich nicht entpacken: %2</translation>
    </message>
    <message>
        <source>%1: %2</source>
        <translation>%1: %2</translation>
    </message>
    <message numerus="yes">
        <source>%1 with %n layers, config %2</source>
        <translation>
            <numerusform>%1 mit %n Schicht, Konfiguration %2</numerusform>
            <numerusform>%1 mit %n Schichten, Konfiguration %2</numerusform>
        </translation>
    </message>
    <message>
        <source>cannot unpack layer %1 of %2: %3</source>
        <translation>Schicht %1 von %2 lässt sich nicht entpacken: %3</translation>
    </message>
    <message numerus="yes">
        <source>%n entries removed by whiteouts</source>
        <translation>
            <numerusform>%n Eintrag durch Whiteouts entfernt</numerusform>
            <numerusform>%n Einträge durch Whiteouts entfernt</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%1, %n layers</source>
        <translation>
            <numerusform>%1, %n Schicht</numerusform>
            <numerusform>%1, %n Schichten</numerusform>
        </translation>
    </message>
    <message>
        <source>%1 has no kernel in /boot (boot/vmlinuz-RELEASE)</source>
        <translation>%1 hat keinen Kernel in /boot (boot/vmlinuz-RELEASE)</translation>
    </message>
    <message>
        <source>%1 has no modules for kernel %2 (lib/modules/%2)</source>
        <translation>%1 hat keine Module für Kernel %2 (lib/modules/%2)</translation>
    </message>
    <message>
        <source>the imported root has a kernel of its own in /boot; remove from.kernelPackage or from.kernelDir, or the kernel from the root</source>
        <translation>das importierte System hat einen eigenen Kernel in /boot; entfernen Sie from.kernelPackage oder from.kernelDir oder den Kernel aus dem System</translation>
    </message>
    <message>
        <source>the layer %1 writes %2 through a symlink of a lower layer, which could put it outside the image&apos;s root; refusing the image</source>
        <translation>die Schicht %1 schreibt %2 durch einen symbolischen Link einer unteren Schicht, womit es außerhalb des Systems des Images landen könnte; das Image wird abgelehnt</translation>
    </message>
    <message>
        <source>from.kernelImage: no image %1 in the store</source>
        <translation>from.kernelImage: kein Abbild %1 im Speicher</translation>
    </message>
    <message>
        <source>from.kernelImage %1: %2</source>
        <translation>from.kernelImage %1: %2</translation>
    </message>
    <message>
        <source>from.kernelImage %1 names no kernel release, or keeps its root in the initramfs; take an image built with layers</source>
        <translation>from.kernelImage %1 nennt keine Kernel-Version oder hält seine Wurzel im Initramfs; nehmen Sie ein mit Schichten gebautes Abbild</translation>
    </message>
    <message>
        <source>taking kernel %1 and its modules from %2</source>
        <translation>Kernel %1 und seine Module aus %2</translation>
    </message>
    <message>
        <source>cannot copy the kernel of %1</source>
        <translation>der Kernel von %1 kann nicht kopiert werden</translation>
    </message>
    <message>
        <source>OpenRC: Drover&apos;s ready report and host keys as init scripts in the default runlevel</source>
        <translation>OpenRC: Drovers Bereitmeldung und Host-Schlüssel als Init-Skripte im Standard-Runlevel</translation>
    </message>
</context>
<context>
    <name>Bundle</name>
    <message>
        <source>blob %1 is missing from the store</source>
        <translation>Blob %1 fehlt im Speicher</translation>
    </message>
    <message>
        <source>blob %1 is %2 bytes in the store, the manifest says %3</source>
        <translation>Blob %1 hat im Speicher %2 Bytes, laut Manifest %3</translation>
    </message>
    <message>
        <source>cannot read blob %1: %2</source>
        <translation>Blob %1 kann nicht gelesen werden: %2</translation>
    </message>
    <message>
        <source>blob %1 is corrupt in the store (its content hashes to %2); not exporting</source>
        <translation>Blob %1 ist im Speicher beschädigt (sein Inhalt ergibt den Hash %2); er wird nicht exportiert</translation>
    </message>
    <message>
        <source>no image %1 in the store</source>
        <translation>kein Image %1 im Speicher</translation>
    </message>
    <message>
        <source>cannot write %1: %2</source>
        <translation>%1 kann nicht geschrieben werden: %2</translation>
    </message>
    <message>
        <source>cannot sync %1: %2</source>
        <translation>%1 kann nicht synchronisiert werden: %2</translation>
    </message>
    <message>
        <source>cannot rename %1 to %2: %3</source>
        <translation>%1 kann nicht in %2 umbenannt werden: %3</translation>
    </message>
    <message>
        <source>cannot read %1: %2</source>
        <translation>%1 kann nicht gelesen werden: %2</translation>
    </message>
    <message>
        <source>%1 is not a readable tar archive: %2</source>
        <translation>%1 ist kein lesbares tar-Archiv: %2</translation>
    </message>
    <message>
        <source>bundle entry %1 is missing</source>
        <translation>Bundle-Eintrag %1 fehlt</translation>
    </message>
    <message>
        <source>bundle entry %1 is %2 bytes, expected %3</source>
        <translation>Bundle-Eintrag %1 hat %2 Bytes, erwartet %3</translation>
    </message>
    <message>
        <source>bundle entry %1 is truncated: %2 of %3 bytes</source>
        <translation>Bundle-Eintrag %1 ist abgeschnitten: %2 von %3 Bytes</translation>
    </message>
    <message>
        <source>bundle %1: %2</source>
        <translation>Bundle %1: %2</translation>
    </message>
    <message>
        <source>bundle entry %1 is altered: its content hashes to %2</source>
        <translation>Bundle-Eintrag %1 wurde verändert: sein Inhalt ergibt den Hash %2</translation>
    </message>
    <message>
        <source>bundle entry %1: %2</source>
        <translation>Bundle-Eintrag %1: %2</translation>
    </message>
    <message>
        <source>bundle index.json names %1 but its manifest is %2</source>
        <translation>index.json des Bundles nennt %1, aber sein Manifest ist %2</translation>
    </message>
    <message>
        <source>tag %1 names manifest %2 in this store; the bundle&apos;s is %3 (a published tag never moves)</source>
        <translation>Tag %1 verweist in diesem Speicher auf Manifest %2, im Bundle auf %3 (ein veröffentlichter Tag wird nie verschoben)</translation>
    </message>
    <message>
        <source>image %1 is in the catalog with manifest %2; the bundle&apos;s is %3 (a published tag never moves)</source>
        <translation>Image %1 steht mit Manifest %2 im Katalog, das Bundle hat %3 (ein veröffentlichter Tag wird nie verschoben)</translation>
    </message>
    <message>
        <source>bundle %1 holds no image</source>
        <translation>Bundle %1 enthält kein Image</translation>
    </message>
    <message>
        <source>bundle entry %1 is %2 bytes, the manifest says %3</source>
        <translation>Bundle-Eintrag %1 hat %2 Bytes, laut Manifest %3</translation>
    </message>
    <message>
        <source>cannot read bundle entry %1</source>
        <translation>Bundle-Eintrag %1 kann nicht gelesen werden</translation>
    </message>
    <message>
        <source>bundle entry %1 is truncated or altered: %2</source>
        <translation>Bundle-Eintrag %1 ist abgeschnitten oder verändert: %2</translation>
    </message>
</context>
<context>
    <name>Catalog</name>
    <message>
        <source>catalog: cannot prune boot events (%1): %2</source>
        <translation>Katalog: alte Boot-Ereignisse können nicht entfernt werden (%1): %2</translation>
    </message>
    <message>
        <source>catalog: cannot create %1: %2</source>
        <translation>Katalog: %1 kann nicht angelegt werden: %2</translation>
    </message>
    <message>
        <source>catalog: %1 is readable by other users and cannot be made private: %2</source>
        <translation>Katalog: %1 ist für andere Benutzer lesbar und kann nicht privat gemacht werden: %2</translation>
    </message>
    <message>
        <source>the catalog file %1 was open to other users (mode %2); now 0600</source>
        <translation>die Katalogdatei %1 war für andere Benutzer offen (Modus %2); jetzt 0600</translation>
    </message>
</context>
<context>
    <name>ChildProcess</name>
    <message>
        <source>could not start: %1</source>
        <translation>konnte nicht gestartet werden: %1</translation>
    </message>
    <message>
        <source>cancelled</source>
        <translation>abgebrochen</translation>
    </message>
    <message>
        <source>killed by a signal</source>
        <translation>durch ein Signal beendet</translation>
    </message>
    <message>
        <source>exit status %1</source>
        <translation>Exit-Status %1</translation>
    </message>
</context>
<context>
    <name>ConfigVerbs</name>
    <message>
        <source>group %1</source>
        <translation>Gruppe %1</translation>
    </message>
    <message>
        <source>machine %1</source>
        <translation>Maschine %1</translation>
    </message>
    <message>
        <source>machine %1 has no configuration (neither its own nor its group&apos;s): it boots its image as built</source>
        <translation>Maschine %1 hat keine Konfiguration (weder eine eigene noch die ihrer Gruppe): sie bootet ihr Image wie gebaut</translation>
    </message>
    <message>
        <source>%1 r%2</source>
        <translation>%1 r%2</translation>
    </message>
    <message>
        <source>the configuration of %1 cannot be rendered: %2</source>
        <translation>die Konfiguration von %1 kann nicht erzeugt werden: %2</translation>
    </message>
    <message>
        <source>TARGET is a group.</source>
        <translation>TARGET ist eine Gruppe.</translation>
    </message>
    <message>
        <source>Print the drover-config file the machine receives: its group&apos;s and its own configuration merged, templates filled in.</source>
        <translation>Die drover-config-Datei ausgeben, die die Maschine erhält: Konfiguration der Gruppe und eigene Konfiguration zusammengeführt, Vorlagen ausgefüllt.</translation>
    </message>
    <message>
        <source>&apos;%1&apos; is neither a machine nor a group</source>
        <translation>„%1“ ist weder eine Maschine noch eine Gruppe</translation>
    </message>
    <message>
        <source>drover: --rendered needs a machine: a group&apos;s configuration is rendered per machine</source>
        <translation>drover: --rendered benötigt eine Maschine: die Konfiguration einer Gruppe wird pro Maschine erzeugt</translation>
    </message>
    <message>
        <source>%1 has no configuration</source>
        <translation>%1 hat keine Konfiguration</translation>
    </message>
    <message>
        <source>TARGET is a group, even one with no machines yet.</source>
        <translation>TARGET ist eine Gruppe, auch wenn sie noch keine Maschinen enthält.</translation>
    </message>
    <message>
        <source>Save only if the stored configuration is still at this revision (0: it has none yet).</source>
        <translation>Nur speichern, wenn die gespeicherte Konfiguration noch diese Revision hat (0: es gibt noch keine).</translation>
    </message>
    <message>
        <source>&apos;%1&apos; is neither a machine nor a group; use --group to start a new group</source>
        <translation>„%1“ ist weder eine Maschine noch eine Gruppe; verwenden Sie --group, um eine neue Gruppe anzulegen</translation>
    </message>
    <message>
        <source>cannot read %1: %2</source>
        <translation>%1 kann nicht gelesen werden: %2</translation>
    </message>
    <message>
        <source>drover: nothing saved</source>
        <translation>drover: nichts gespeichert</translation>
    </message>
    <message>
        <source>drover: --revision wants a number</source>
        <translation>drover: --revision erwartet eine Zahl</translation>
    </message>
    <message>
        <source>drover: warning: %1 cannot be configured yet: %2</source>
        <translation>drover: Warnung: %1 kann noch nicht konfiguriert werden: %2</translation>
    </message>
    <message>
        <source>configuration of %1 saved (revision %2); it applies from the next boot</source>
        <translation>Konfiguration von %1 gespeichert (Revision %2); sie gilt ab dem nächsten Booten</translation>
    </message>
    <message>
        <source>configuration of %1 removed</source>
        <translation>Konfiguration von %1 entfernt</translation>
    </message>
    <message>
        <source>Print a machine&apos;s or group&apos;s configuration (JSON), or with --rendered what the machine receives at boot.</source>
        <translation>Die Konfiguration einer Maschine oder Gruppe ausgeben (JSON) oder mit --rendered das, was die Maschine beim Booten erhält.</translation>
    </message>
    <message>
        <source>Replace a machine&apos;s or group&apos;s configuration with a JSON file, after checking it.</source>
        <translation>Die Konfiguration einer Maschine oder Gruppe nach einer Prüfung durch eine JSON-Datei ersetzen.</translation>
    </message>
    <message>
        <source>Remove a machine&apos;s or group&apos;s configuration.</source>
        <translation>Die Konfiguration einer Maschine oder Gruppe entfernen.</translation>
    </message>
</context>
<context>
    <name>CpioWriter</name>
    <message>
        <source>cpio: cannot write: %1</source>
        <translation>cpio: Schreiben nicht möglich: %1</translation>
    </message>
    <message>
        <source>cpio: entry %1 added after the trailer</source>
        <translation>cpio: Eintrag %1 nach dem Trailer hinzugefügt</translation>
    </message>
    <message>
        <source>cpio: refusing entry name &apos;%1&apos;</source>
        <translation>cpio: Eintragsname &apos;%1&apos; wird abgelehnt</translation>
    </message>
    <message>
        <source>cpio: %1 is %2 bytes; newc holds at most 4 GiB per file</source>
        <translation>cpio: %1 hat %2 Bytes; newc fasst höchstens 4 GiB pro Datei</translation>
    </message>
    <message>
        <source>cpio: %1 ended %2 bytes early</source>
        <translation>cpio: %1 endete %2 Bytes zu früh</translation>
    </message>
    <message>
        <source>cpio: unknown special file type &apos;%1&apos;</source>
        <translation>cpio: unbekannter Spezialdateityp &apos;%1&apos;</translation>
    </message>
</context>
<context>
    <name>DhcpLeases</name>
    <message>
        <source>DHCP: cannot write the lease of %1: %2</source>
        <translation>DHCP: Die Lease von %1 kann nicht geschrieben werden: %2</translation>
    </message>
    <message>
        <source>DHCP: no free address left in %1 – %2 for %3</source>
        <translation>DHCP: keine freie Adresse mehr in %1 – %2 für %3</translation>
    </message>
    <message>
        <source>%1 is outside the range %2 – %3</source>
        <translation>%1 liegt außerhalb des Bereichs %2 – %3</translation>
    </message>
    <message>
        <source>%1 belongs to another client</source>
        <translation>%1 gehört einem anderen Client</translation>
    </message>
    <message>
        <source>DHCP: cannot release the lease of %1: %2</source>
        <translation>DHCP: Die Lease von %1 kann nicht freigegeben werden: %2</translation>
    </message>
    <message>
        <source>%1 is not in the range %2 – %3</source>
        <translation>%1 liegt nicht im Bereich %2 – %3</translation>
    </message>
    <message>
        <source>%1 does not hold a lease of %2</source>
        <translation>%1 hat keine Lease für %2</translation>
    </message>
    <message>
        <source>DHCP: %1 is quarantined, but the lease of %2 could not be ended: %3</source>
        <translation>DHCP: %1 ist in Quarantäne, aber die Lease von %2 konnte nicht beendet werden: %3</translation>
    </message>
    <message numerus="yes">
        <source>%n client(s)</source>
        <translation>
            <numerusform>%n Client</numerusform>
            <numerusform>%n Clients</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>DhcpPacket</name>
    <message>
        <source>DHCP: option %1 has no length byte</source>
        <translation>DHCP: Option %1 hat kein Längenbyte</translation>
    </message>
    <message>
        <source>DHCP: option %1 claims %2 bytes but only %3 remain</source>
        <translation>DHCP: Option %1 gibt %2 Bytes an, aber nur %3 sind übrig</translation>
    </message>
    <message>
        <source>DHCP: invalid option overload</source>
        <translation>DHCP: ungültiger Wert für Option Overload</translation>
    </message>
</context>
<context>
    <name>DhcpProbe</name>
    <message>
        <source>DHCP: the probe for other DHCP servers needs an interface</source>
        <translation>DHCP: Die Suche nach anderen DHCP-Servern benötigt eine Schnittstelle</translation>
    </message>
    <message>
        <source>DHCP probe</source>
        <translation>DHCP-Suche</translation>
    </message>
    <message>
        <source>DHCP: cannot send the probe on %1: %2</source>
        <translation>DHCP: Die Suchanfrage kann nicht über %1 gesendet werden: %2</translation>
    </message>
</context>
<context>
    <name>EventVerbs</name>
    <message>
        <source>Only events of this machine (name or MAC).</source>
        <translation>Nur Ereignisse dieser Maschine (Name oder MAC).</translation>
    </message>
    <message>
        <source>Only events of this phase.</source>
        <translation>Nur Ereignisse dieser Phase.</translation>
    </message>
    <message>
        <source>At most this many past events (default 100).</source>
        <translation>Höchstens so viele vergangene Ereignisse (Standard: 100).</translation>
    </message>
    <message>
        <source>Keep printing new events as they arrive.</source>
        <translation>Neue Ereignisse fortlaufend ausgeben, sobald sie eintreffen.</translation>
    </message>
    <message>
        <source>drover: --limit needs a positive number</source>
        <translation>drover: --limit benötigt eine positive Zahl</translation>
    </message>
    <message>
        <source>Show boot events: every step the server saw, with time, machine and image.</source>
        <translation>Boot-Ereignisse anzeigen: jeder vom Server beobachtete Schritt, mit Zeit, Maschine und Image.</translation>
    </message>
</context>
<context>
    <name>FirmwareFacts</name>
    <message>
        <source>HTTP Boot</source>
        <translation>HTTP Boot</translation>
    </message>
    <message>
        <source>Secure Boot on</source>
        <translation>Secure Boot an</translation>
    </message>
    <message>
        <source>Secure Boot off</source>
        <translation>Secure Boot aus</translation>
    </message>
</context>
<context>
    <name>GrubScript</name>
    <message>
        <source>asking the boot server what this machine boots</source>
        <translation>frage den Boot-Server, was dieser Rechner startet</translation>
    </message>
    <message>
        <source>no answer from the boot server, asking again in 10 s</source>
        <translation>keine Antwort vom Boot-Server, neue Anfrage in 10 s</translation>
    </message>
    <message>
        <source>server URL &apos;%1&apos; cannot be named in GRUB</source>
        <translation>Server-URL „%1“ lässt sich in GRUB nicht angeben</translation>
    </message>
    <message>
        <source>%1 boots %2</source>
        <translation>%1 startet %2</translation>
    </message>
    <message>
        <source>download failed, trying again in %1 s</source>
        <translation>Download fehlgeschlagen, neuer Versuch in %1 s</translation>
    </message>
    <message>
        <source>%1 downloads failed, asking the server again</source>
        <translation>%1 Downloads fehlgeschlagen, frage den Server erneut</translation>
    </message>
    <message>
        <source>asking the server again in %1 s</source>
        <translation>frage den Server in %1 s erneut</translation>
    </message>
    <message>
        <source>%1 boots from its local disk</source>
        <translation>%1 startet von seiner lokalen Festplatte</translation>
    </message>
    <message>
        <source>%1 runs memtest86+</source>
        <translation>%1 führt memtest86+ aus</translation>
    </message>
    <message>
        <source>memtest86+ did not start: it is not signed, so it runs only with Secure Boot off</source>
        <translation>memtest86+ ist nicht gestartet: es ist nicht signiert und läuft nur mit ausgeschaltetem Secure Boot</translation>
    </message>
    <message>
        <source>the boot menu needs the server&apos;s IPv4 address</source>
        <translation>das Startmenü braucht die IPv4-Adresse des Servers</translation>
    </message>
    <message>
        <source>this machine&apos;s boot menu has no entries</source>
        <translation>das Startmenü dieser Maschine hat keine Einträge</translation>
    </message>
    <message>
        <source>%1 boots the ISO %2</source>
        <translation>%1 startet das ISO %2</translation>
    </message>
    <message>
        <source>the ISO %1 could not be read, or has no /boot/grub/loopback.cfg: GRUB cannot start it; with secure boot off for this machine, iPXE boots it as a CD-ROM</source>
        <translation>das ISO %1 konnte nicht gelesen werden oder hat keine /boot/grub/loopback.cfg: GRUB kann es nicht starten; mit Secure Boot aus für diesen Rechner startet iPXE es als CD-ROM</translation>
    </message>
</context>
<context>
    <name>Handover</name>
    <message>
        <source>no machine named &apos;%1&apos;</source>
        <translation>keine Maschine namens „%1“</translation>
    </message>
    <message numerus="yes">
        <source>%n machine(s), printed %1</source>
        <translation>
            <numerusform>%n Maschine, gedruckt %1</numerusform>
            <numerusform>%n Maschinen, gedruckt %1</numerusform>
        </translation>
    </message>
    <message>
        <source>MAC</source>
        <translation>MAC</translation>
    </message>
    <message>
        <source>Labels</source>
        <translation>Labels</translation>
    </message>
    <message>
        <source>Boots</source>
        <translation>Bootet</translation>
    </message>
    <message>
        <source>nothing assigned</source>
        <translation>nichts zugewiesen</translation>
    </message>
    <message>
        <source>Last known good</source>
        <translation>Zuletzt funktionierend</translation>
    </message>
    <message>
        <source>Hardware</source>
        <translation>Hardware</translation>
    </message>
    <message>
        <source>not reported yet</source>
        <translation>noch nicht gemeldet</translation>
    </message>
    <message>
        <source>Reported</source>
        <translation>Gemeldet</translation>
    </message>
    <message>
        <source>Hardware changed %1 and not acknowledged: %2</source>
        <translation>Hardware am %1 geändert und nicht quittiert: %2</translation>
    </message>
    <message>
        <source>Burn-in: not run</source>
        <translation>Burn-in: nicht gelaufen</translation>
    </message>
    <message>
        <source>Tests</source>
        <translation>Tests</translation>
    </message>
    <message>
        <source>%1 passed %2</source>
        <translation>%1 bestanden %2</translation>
    </message>
    <message>
        <source>%1 failed %2</source>
        <translation>%1 fehlgeschlagen %2</translation>
    </message>
    <message>
        <source> (failure cleared)</source>
        <translation> (Fehler aufgehoben)</translation>
    </message>
    <message>
        <source>pass</source>
        <translation>bestanden</translation>
    </message>
    <message>
        <source>FAIL</source>
        <translation>FEHLER</translation>
    </message>
    <message>
        <source>%1 s</source>
        <translation>%1 s</translation>
    </message>
</context>
<context>
    <name>HandoverSheet</name>
    <message>
        <source>cannot write %1: %2</source>
        <translation>%1 kann nicht geschrieben werden: %2</translation>
    </message>
</context>
<context>
    <name>HardwareInventory</name>
    <message>
        <source>is not one of %1</source>
        <translation>ist keiner der Werte %1</translation>
    </message>
    <message>
        <source>is not a whole number</source>
        <translation>ist keine ganze Zahl</translation>
    </message>
    <message>
        <source>is too large</source>
        <translation>ist zu groß</translation>
    </message>
    <message>
        <source>is not 0 or 1</source>
        <translation>ist nicht 0 oder 1</translation>
    </message>
    <message>
        <source>has no index</source>
        <translation>hat keinen Index</translation>
    </message>
    <message>
        <source>has an index that is not 0 to %1</source>
        <translation>hat einen Index außerhalb von 0 bis %1</translation>
    </message>
    <message numerus="yes">
        <source>%n thread(s)</source>
        <translation>
            <numerusform>%n Thread</numerusform>
            <numerusform>%n Threads</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n disk(s)</source>
        <translation>
            <numerusform>%n Datenträger</numerusform>
            <numerusform>%n Datenträger</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n NIC(s)</source>
        <translation>
            <numerusform>%n Netzwerkkarte</numerusform>
            <numerusform>%n Netzwerkkarten</numerusform>
        </translation>
    </message>
    <message>
        <source>is not a MAC address</source>
        <translation>ist keine MAC-Adresse</translation>
    </message>
    <message>
        <source>%1 %2</source>
        <translation>%1 %2</translation>
    </message>
    <message>
        <source>System</source>
        <translation>System</translation>
    </message>
    <message>
        <source>Serial number</source>
        <translation>Seriennummer</translation>
    </message>
    <message>
        <source>UUID</source>
        <translation>UUID</translation>
    </message>
    <message>
        <source>Board</source>
        <translation>Mainboard</translation>
    </message>
    <message>
        <source>serial %1</source>
        <translation>Seriennummer %1</translation>
    </message>
    <message>
        <source>UEFI</source>
        <translation>UEFI</translation>
    </message>
    <message>
        <source>BIOS</source>
        <translation>BIOS</translation>
    </message>
    <message>
        <source>(Secure Boot on)</source>
        <translation>(Secure Boot an)</translation>
    </message>
    <message>
        <source>(Secure Boot off)</source>
        <translation>(Secure Boot aus)</translation>
    </message>
    <message>
        <source>Firmware</source>
        <translation>Firmware</translation>
    </message>
    <message>
        <source>CPU</source>
        <translation>CPU</translation>
    </message>
    <message numerus="yes">
        <source>%n socket(s)</source>
        <translation>
            <numerusform>%n Sockel</numerusform>
            <numerusform>%n Sockel</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n core(s)</source>
        <translation>
            <numerusform>%n Kern</numerusform>
            <numerusform>%n Kerne</numerusform>
        </translation>
    </message>
    <message>
        <source>Memory</source>
        <translation>Arbeitsspeicher</translation>
    </message>
    <message>
        <source>DIMM %1</source>
        <translation>DIMM %1</translation>
    </message>
    <message>
        <source>%1 MT/s</source>
        <translation>%1 MT/s</translation>
    </message>
    <message>
        <source>Disk %1</source>
        <translation>Datenträger %1</translation>
    </message>
    <message>
        <source>rotational</source>
        <translation>rotierend</translation>
    </message>
    <message>
        <source>solid state</source>
        <translation>Halbleiter</translation>
    </message>
    <message>
        <source>SMART %1</source>
        <translation>SMART %1</translation>
    </message>
    <message>
        <source>NIC %1</source>
        <translation>Netzwerkkarte %1</translation>
    </message>
    <message>
        <source>PCI %1</source>
        <translation>PCI %1</translation>
    </message>
    <message>
        <source>%1 Mb/s</source>
        <translation>%1 Mbit/s</translation>
    </message>
    <message>
        <source>no link</source>
        <translation>keine Verbindung</translation>
    </message>
    <message>
        <source>%1 %2 → %3</source>
        <translation>%1 %2 → %3</translation>
    </message>
    <message>
        <source>(none)</source>
        <translation>(keine)</translation>
    </message>
    <message>
        <source>system serial</source>
        <translation>Seriennummer des Systems</translation>
    </message>
    <message>
        <source>system UUID</source>
        <translation>UUID des Systems</translation>
    </message>
    <message>
        <source>system</source>
        <translation>System</translation>
    </message>
    <message>
        <source>board</source>
        <translation>Mainboard</translation>
    </message>
    <message>
        <source>firmware</source>
        <translation>Firmware</translation>
    </message>
    <message>
        <source>firmware mode</source>
        <translation>Firmware-Modus</translation>
    </message>
    <message>
        <source>CPU threads</source>
        <translation>CPU-Threads</translation>
    </message>
    <message>
        <source>memory</source>
        <translation>Arbeitsspeicher</translation>
    </message>
    <message>
        <source>DIMMs</source>
        <translation>DIMMs</translation>
    </message>
    <message>
        <source>disk %1 removed</source>
        <translation>Datenträger %1 entfernt</translation>
    </message>
    <message>
        <source>disk %1 size</source>
        <translation>Größe von Datenträger %1</translation>
    </message>
    <message>
        <source>disk %1 added</source>
        <translation>Datenträger %1 hinzugekommen</translation>
    </message>
    <message>
        <source>NIC %1 (%2) removed</source>
        <translation>Netzwerkkarte %1 (%2) entfernt</translation>
    </message>
    <message>
        <source>NIC %1 (%2) added</source>
        <translation>Netzwerkkarte %1 (%2) hinzugekommen</translation>
    </message>
</context>
<context>
    <name>HttpEngine</name>
    <message>
        <source>the HTTP server is running already</source>
        <translation>der HTTP-Server läuft bereits</translation>
    </message>
    <message>
        <source>HTTP port %1 is in use by another program; stop it or choose another port</source>
        <translation>HTTP-Port %1 wird von einem anderen Programm verwendet; beenden Sie es oder wählen Sie einen anderen Port</translation>
    </message>
    <message>
        <source>HTTP port %1 needs root or the CAP_NET_BIND_SERVICE capability (setcap cap_net_bind_service=+ep on the drover binary), or choose a port above 1023</source>
        <translation>HTTP-Port %1 erfordert root oder die Capability CAP_NET_BIND_SERVICE (setcap cap_net_bind_service=+ep für das drover-Programm), oder wählen Sie einen Port über 1023</translation>
    </message>
    <message>
        <source>cannot listen on HTTP port %1: %2</source>
        <translation>auf HTTP-Port %1 kann nicht gelauscht werden: %2</translation>
    </message>
</context>
<context>
    <name>ImageFiles</name>
    <message>
        <source>%1 exists in the image and is not a directory</source>
        <translation>%1 existiert im Image und ist kein Verzeichnis</translation>
    </message>
    <message>
        <source>cannot create %1 in the image: %2</source>
        <translation>%1 kann im Image nicht erstellt werden: %2</translation>
    </message>
    <message>
        <source>%1 is a directory in the image; a file cannot replace it</source>
        <translation>%1 ist im Image ein Verzeichnis; eine Datei kann es nicht ersetzen</translation>
    </message>
    <message>
        <source>cannot replace %1 in the image: %2</source>
        <translation>%1 kann im Image nicht ersetzt werden: %2</translation>
    </message>
    <message>
        <source>too many symlinks resolving %1 in the image</source>
        <translation>zu viele symbolische Verknüpfungen beim Auflösen von %1 im Image</translation>
    </message>
    <message>
        <source>cannot read the link %1: %2</source>
        <translation>die Verknüpfung %1 kann nicht gelesen werden: %2</translation>
    </message>
    <message>
        <source>cannot write %1 in the image: %2</source>
        <translation>%1 kann im Image nicht geschrieben werden: %2</translation>
    </message>
    <message>
        <source>cannot set the owner or mode of %1 in the image: %2</source>
        <translation>Eigentümer oder Modus von %1 im Image können nicht gesetzt werden: %2</translation>
    </message>
    <message>
        <source>cannot create the link %1 in the image: %2</source>
        <translation>die Verknüpfung %1 kann im Image nicht erstellt werden: %2</translation>
    </message>
    <message>
        <source>files.owner: &quot;%1&quot; is not a user and group of the image</source>
        <translation>files.owner: &quot;%1&quot; ist kein Paar aus Benutzer und Gruppe des Images</translation>
    </message>
    <message>
        <source>cannot set the mode of %1 in the image: %2</source>
        <translation>der Modus von %1 im Image kann nicht gesetzt werden: %2</translation>
    </message>
    <message>
        <source>files: %1 is neither a file, a directory nor a symlink</source>
        <translation>files: %1 ist weder eine Datei noch ein Verzeichnis noch eine symbolische Verknüpfung</translation>
    </message>
    <message>
        <source>files: cannot read %1: %2</source>
        <translation>files: %1 kann nicht gelesen werden: %2</translation>
    </message>
</context>
<context>
    <name>ImageStore</name>
    <message>
        <source>cannot read %1: %2</source>
        <translation>%1 kann nicht gelesen werden: %2</translation>
    </message>
    <message>
        <source>tag %1 names manifest %2; refusing to move it to manifest %3 (a published tag never moves)</source>
        <translation>Tag %1 verweist auf Manifest %2; Verschieben auf Manifest %3 wird abgelehnt (ein veröffentlichter Tag wird nie verschoben)</translation>
    </message>
    <message>
        <source>cannot publish %1: blob %2 (%3) is not in the store</source>
        <translation>%1 kann nicht veröffentlicht werden: Blob %2 (%3) ist nicht im Speicher</translation>
    </message>
    <message>
        <source>cannot publish %1: blob %2 (%3) is %4 bytes, the manifest says %5</source>
        <translation>%1 kann nicht veröffentlicht werden: Blob %2 (%3) hat %4 Bytes, laut Manifest %5</translation>
    </message>
    <message>
        <source>cannot store the manifest of %1: %2</source>
        <translation>das Manifest von %1 kann nicht gespeichert werden: %2</translation>
    </message>
    <message>
        <source>no image %1 in the store</source>
        <translation>kein Image %1 im Speicher</translation>
    </message>
    <message>
        <source>image %1 is in the catalog with manifest %2; refusing manifest %3 (a published tag never moves)</source>
        <translation>Image %1 steht mit Manifest %2 im Katalog; Manifest %3 wird abgelehnt (ein veröffentlichter Tag wird nie verschoben)</translation>
    </message>
    <message>
        <source>index.json: %1 at byte %2</source>
        <translation>index.json: %1 bei Byte %2</translation>
    </message>
    <message>
        <source>index.json: not an OCI image index (schemaVersion 2)</source>
        <translation>index.json: kein OCI-Image-Index (schemaVersion 2)</translation>
    </message>
    <message>
        <source>index.json: manifests[%1].digest is not a sha256 digest</source>
        <translation>index.json: manifests[%1].digest ist kein sha256-Digest</translation>
    </message>
    <message>
        <source>index.json: manifests[%1].size is not a size in bytes</source>
        <translation>index.json: manifests[%1].size ist keine Größe in Bytes</translation>
    </message>
    <message>
        <source>cannot open directory %1: %2</source>
        <translation>Verzeichnis %1 kann nicht geöffnet werden: %2</translation>
    </message>
    <message>
        <source>cannot sync directory %1: %2</source>
        <translation>Verzeichnis %1 kann nicht synchronisiert werden: %2</translation>
    </message>
    <message>
        <source>cannot create %1: %2</source>
        <translation>%1 kann nicht erstellt werden: %2</translation>
    </message>
    <message>
        <source>cannot write %1: %2</source>
        <translation>%1 kann nicht geschrieben werden: %2</translation>
    </message>
    <message>
        <source>the image store %1 is locked by process %2 (%3) on %4</source>
        <translation>der Image-Speicher %1 ist durch Prozess %2 (%3) auf %4 gesperrt</translation>
    </message>
</context>
<context>
    <name>ImageTest</name>
    <message>
        <source>there is no image %1 in the catalog</source>
        <translation>das Image %1 ist nicht im Katalog</translation>
    </message>
    <message>
        <source>image test (qemu)</source>
        <translation>Image-Test (qemu)</translation>
    </message>
    <message>
        <source>image test</source>
        <translation>Image-Test</translation>
    </message>
    <message>
        <source>qemu exited with status %1 before the verdict</source>
        <translation>qemu endete mit Status %1 vor dem Ergebnis</translation>
    </message>
    <message>
        <source>%1 boots %2</source>
        <translation>%1 bootet %2</translation>
    </message>
    <message>
        <source>cancelled</source>
        <translation>abgebrochen</translation>
    </message>
    <message>
        <source>%1 did not reach ready within %2 s (last phase: %3)</source>
        <translation>%1 war nicht innerhalb von %2 s bereit (letzte Phase: %3)</translation>
    </message>
    <message>
        <source>none</source>
        <translation>keine</translation>
    </message>
    <message>
        <source> (not recorded: %1)</source>
        <translation> (nicht festgehalten: %1)</translation>
    </message>
    <message>
        <source>the test VM</source>
        <translation>die Test-VM</translation>
    </message>
</context>
<context>
    <name>ImageTestVerb</name>
    <message>
        <source>Boot with UEFI firmware (OVMF) instead of BIOS.</source>
        <translation>Mit UEFI-Firmware (OVMF) statt BIOS booten.</translation>
    </message>
    <message>
        <source>Fail when not ready after this many seconds (default 600).</source>
        <translation>Als fehlgeschlagen werten, wenn nach so vielen Sekunden nicht bereit (Vorgabe 600).</translation>
    </message>
    <message>
        <source>drover: --timeout: &apos;%1&apos; is not a number of seconds</source>
        <translation>drover: --timeout: &apos;%1&apos; ist keine Anzahl Sekunden</translation>
    </message>
    <message>
        <source>PASS %1: ready after %2 s</source>
        <translation>PASS %1: bereit nach %2 s</translation>
    </message>
    <message>
        <source>FAIL %1 after %2 s: %3</source>
        <translation>FAIL %1 nach %2 s: %3</translation>
    </message>
    <message>
        <source>the console&apos;s last lines:</source>
        <translation>die letzten Zeilen der Konsole:</translation>
    </message>
    <message>
        <source>Boot an image in a throwaway virtual machine through this Drover&apos;s boot path: pass or fail, with the time to ready and the reason.</source>
        <translation>Ein Image in einer Wegwerf-VM über den Boot-Weg dieses Drover booten: bestanden oder nicht, mit der Zeit bis „bereit“ und dem Grund.</translation>
    </message>
    <message>
        <source>Boot with UEFI and Secure Boot on (Microsoft&apos;s keys): shim, GRUB and the image&apos;s signed kernel.</source>
        <translation>Mit UEFI und eingeschaltetem Secure Boot starten (Microsofts Schlüssel): shim, GRUB und der signierte Kernel des Abbilds.</translation>
    </message>
</context>
<context>
    <name>ImageUsers</name>
    <message>
        <source>cannot read %1 in the image: %2</source>
        <translation>%1 kann im Image nicht gelesen werden: %2</translation>
    </message>
    <message>
        <source>cannot write %1 in the image: %2</source>
        <translation>%1 kann im Image nicht geschrieben werden: %2</translation>
    </message>
    <message>
        <source>cannot create %1 in the image</source>
        <translation>%1 kann im Image nicht erstellt werden</translation>
    </message>
    <message>
        <source>%1: uid %2 belongs to another user of the image</source>
        <translation>%1: UID %2 gehört einem anderen Benutzer des Images</translation>
    </message>
    <message>
        <source>%1: %2 exists in the image with uid %3, not %4</source>
        <translation>%1: %2 existiert im Image mit UID %3, nicht %4</translation>
    </message>
    <message>
        <source>%1.groups: the image has no group &quot;%2&quot; (a package or a script must create it)</source>
        <translation>%1.groups: das Image hat keine Gruppe &quot;%2&quot; (ein Paket oder ein Skript muss sie anlegen)</translation>
    </message>
</context>
<context>
    <name>ImageVerbs</name>
    <message>
        <source>drover: &apos;%1&apos; is not an image NAME:VERSION</source>
        <translation>drover: &apos;%1&apos; ist kein Image NAME:VERSION</translation>
    </message>
    <message>
        <source>missing from the store</source>
        <translation>fehlt im Speicher</translation>
    </message>
    <message>
        <source>not in the catalog</source>
        <translation>nicht im Katalog</translation>
    </message>
    <message>
        <source>NAME</source>
        <translation>NAME</translation>
    </message>
    <message>
        <source>VERSION</source>
        <translation>VERSION</translation>
    </message>
    <message>
        <source>SIZE</source>
        <translation>SIZE</translation>
    </message>
    <message>
        <source>CREATED</source>
        <translation>CREATED</translation>
    </message>
    <message>
        <source>MACHINES</source>
        <translation>MACHINES</translation>
    </message>
    <message>
        <source>MANIFEST</source>
        <translation>MANIFEST</translation>
    </message>
    <message>
        <source>NOTE</source>
        <translation>NOTE</translation>
    </message>
    <message>
        <source>no image %1</source>
        <translation>kein Image %1</translation>
    </message>
    <message>
        <source>image %1 is in the catalog (manifest %2) but not in the store %3</source>
        <translation>Image %1 ist im Katalog (Manifest %2), aber nicht im Speicher %3</translation>
    </message>
    <message>
        <source>image</source>
        <translation>Image</translation>
    </message>
    <message>
        <source>manifest</source>
        <translation>Manifest</translation>
    </message>
    <message>
        <source>architecture</source>
        <translation>Architektur</translation>
    </message>
    <message>
        <source>format</source>
        <translation>Format</translation>
    </message>
    <message>
        <source>size</source>
        <translation>Größe</translation>
    </message>
    <message>
        <source>created</source>
        <translation>Erstellt</translation>
    </message>
    <message>
        <source>machines</source>
        <translation>Maschinen</translation>
    </message>
    <message>
        <source>kernel args</source>
        <translation>Bootparameter</translation>
    </message>
    <message>
        <source>recipe</source>
        <translation>Rezept</translation>
    </message>
    <message>
        <source>Verify every image in the store (the default).</source>
        <translation>Jedes Image im Speicher prüfen (Standard).</translation>
    </message>
    <message>
        <source>drover: give either NAME:VERSION or --all</source>
        <translation>drover: geben Sie entweder NAME:VERSION oder --all an</translation>
    </message>
    <message>
        <source>verifying</source>
        <translation>Prüfung</translation>
    </message>
    <message>
        <source>  used by: %1</source>
        <translation>  verwendet von: %1</translation>
    </message>
    <message>
        <source>%1 images, %2 blobs, %3 checked: %4</source>
        <translation>%1 Images, %2 Blobs, %3 geprüft: %4</translation>
    </message>
    <message>
        <source>all whole</source>
        <translation>alle intakt</translation>
    </message>
    <message>
        <source>%1 corrupt or missing</source>
        <translation>%1 beschädigt oder fehlend</translation>
    </message>
    <message>
        <source>exported %1 (%2) to %3</source>
        <translation>%1 (%2) nach %3 exportiert</translation>
    </message>
    <message>
        <source>imported %1 (%2; %3 new blobs, %4 already here)</source>
        <translation>%1 importiert (%2; %3 neue Blobs, %4 bereits vorhanden)</translation>
    </message>
    <message numerus="yes">
        <source>repaired %n corrupt blob(s) from the bundle</source>
        <translation>
            <numerusform>%n beschädigter Blob aus dem Bundle repariert</numerusform>
            <numerusform>%n beschädigte Blobs aus dem Bundle repariert</numerusform>
        </translation>
    </message>
    <message>
        <source>image %1 is in use (assigned, or a machine&apos;s current or last-known-good image); assign another image first</source>
        <translation>Image %1 wird verwendet (zugewiesen oder aktuelles bzw. letztes funktionierendes Image einer Maschine); weisen Sie zuerst ein anderes Image zu</translation>
    </message>
    <message>
        <source>removed image %1; drover image gc frees its blobs</source>
        <translation>Image %1 entfernt; drover image gc gibt seine Blobs frei</translation>
    </message>
    <message>
        <source>Only list what would be deleted.</source>
        <translation>Nur auflisten, was gelöscht würde.</translation>
    </message>
    <message>
        <source>Keep blobs younger than this (e.g. 30m, 1h, 2d; default 1h).</source>
        <translation>Blobs behalten, die jünger als diese Dauer sind (z. B. 30m, 1h, 2d; Standard: 1h).</translation>
    </message>
    <message>
        <source>drover: --grace &apos;%1&apos; is not a duration like 30m, 1h or 2d</source>
        <translation>drover: --grace &apos;%1&apos; ist keine Dauer wie 30m, 1h oder 2d</translation>
    </message>
    <message>
        <source>would delete</source>
        <translation>würde löschen</translation>
    </message>
    <message>
        <source>deleted</source>
        <translation>gelöscht</translation>
    </message>
    <message>
        <source>note: %1</source>
        <translation>Hinweis: %1</translation>
    </message>
    <message>
        <source>%1 would be freed (%2 blobs, %3 temporary files); %4 blobs in use, %5 younger than the grace period</source>
        <translation>%1 würden freigegeben (%2 Blobs, %3 temporäre Dateien); %4 Blobs in Verwendung, %5 jünger als die Schonfrist</translation>
    </message>
    <message>
        <source>%1 freed (%2 blobs, %3 temporary files); %4 blobs in use, %5 younger than the grace period</source>
        <translation>%1 freigegeben (%2 Blobs, %3 temporäre Dateien); %4 Blobs in Verwendung, %5 jünger als die Schonfrist</translation>
    </message>
    <message>
        <source>List the images (catalog and store).</source>
        <translation>Die Images auflisten (Katalog und Speicher).</translation>
    </message>
    <message>
        <source>Show an image&apos;s manifest, layers and catalog record.</source>
        <translation>Manifest, Schichten und Katalogeintrag eines Images anzeigen.</translation>
    </message>
    <message>
        <source>Re-hash every blob of an image (or of all); list corrupt or missing ones.</source>
        <translation>Jeden Blob eines Images (oder aller Images) neu hashen; beschädigte oder fehlende auflisten.</translation>
    </message>
    <message>
        <source>Write an image with all its blobs to a bundle.</source>
        <translation>Ein Image mit allen seinen Blobs in ein Bundle schreiben.</translation>
    </message>
    <message>
        <source>Verify a bundle and add its image to the store and the catalog.</source>
        <translation>Ein Bundle prüfen und sein Image zum Speicher und zum Katalog hinzufügen.</translation>
    </message>
    <message>
        <source>Remove an image no machine uses (its blobs go at the next gc).</source>
        <translation>Ein Image entfernen, das keine Maschine verwendet (seine Blobs verschwinden beim nächsten gc).</translation>
    </message>
    <message>
        <source>Delete blobs no image needs, older than the grace period.</source>
        <translation>Blobs löschen, die kein Image benötigt und die älter als die Schonfrist sind.</translation>
    </message>
    <message>
        <source>tested in a VM</source>
        <translation>in einer VM getestet</translation>
    </message>
    <message>
        <source>not yet (drover image test %1)</source>
        <translation>noch nicht (drover image test %1)</translation>
    </message>
    <message>
        <source>passed %1 (%2), ready after %3 s</source>
        <translation>bestanden %1 (%2), bereit nach %3 s</translation>
    </message>
    <message>
        <source>failed %1 (%2): %3</source>
        <translation>durchgefallen %1 (%2): %3</translation>
    </message>
    <message>
        <source>kernel</source>
        <translation>Kernel</translation>
    </message>
</context>
<context>
    <name>InitramfsImage</name>
    <message>
        <source>initramfs: %1 is not a directory</source>
        <translation>initramfs: %1 ist kein Verzeichnis</translation>
    </message>
    <message>
        <source>cancelled</source>
        <translation>abgebrochen</translation>
    </message>
    <message>
        <source>initramfs: cannot read the directory %1</source>
        <translation>initramfs: Das Verzeichnis %1 kann nicht gelesen werden</translation>
    </message>
    <message>
        <source>initramfs: cannot stat %1</source>
        <translation>initramfs: stat für %1 nicht möglich</translation>
    </message>
    <message>
        <source>initramfs: cannot read the link %1</source>
        <translation>initramfs: Die Verknüpfung %1 kann nicht gelesen werden</translation>
    </message>
    <message>
        <source>initramfs: cannot write %1: %2</source>
        <translation>initramfs: %1 kann nicht geschrieben werden: %2</translation>
    </message>
    <message>
        <source>initramfs: cannot start zstd: %1</source>
        <translation>initramfs: zstd kann nicht gestartet werden: %1</translation>
    </message>
    <message>
        <source>initramfs: cannot read %1</source>
        <translation>initramfs: %1 kann nicht gelesen werden</translation>
    </message>
    <message>
        <source>initramfs: cannot decompress %1</source>
        <translation>initramfs: %1 kann nicht entpackt werden</translation>
    </message>
    <message>
        <source>initramfs: cannot read %1: %2</source>
        <translation>initramfs: %1 kann nicht gelesen werden: %2</translation>
    </message>
</context>
<context>
    <name>InventoryVerbs</name>
    <message>
        <source>Every distinct hardware reported, newest first.</source>
        <translation>Jede gemeldete unterschiedliche Hardware, die neueste zuerst.</translation>
    </message>
    <message>
        <source>no machine named &apos;%1&apos;</source>
        <translation>keine Maschine namens „%1“</translation>
    </message>
    <message>
        <source>%1 has not reported its hardware yet: it does at every boot into a Drover image</source>
        <translation>%1 hat seine Hardware noch nicht gemeldet: das geschieht bei jedem Boot in ein Drover-Abbild</translation>
    </message>
    <message>
        <source>Hardware of %1, reported %2 to %3</source>
        <translation>Hardware von %1, gemeldet %2 bis %3</translation>
    </message>
    <message>
        <source>changed: %1</source>
        <translation>geändert: %1</translation>
    </message>
    <message>
        <source>The hardware changed %1; drover inventory ack %2 clears the mark.</source>
        <translation>Die Hardware hat sich %1 geändert; drover inventory ack %2 entfernt die Markierung.</translation>
    </message>
    <message>
        <source>Only the machines of this group.</source>
        <translation>Nur die Maschinen dieser Gruppe.</translation>
    </message>
    <message>
        <source>csv (default) or json.</source>
        <translation>csv (Vorgabe) oder json.</translation>
    </message>
    <message>
        <source>Write to FILE instead of the output.</source>
        <translation>In DATEI schreiben statt auf die Ausgabe.</translation>
    </message>
    <message>
        <source>drover: --format &apos;%1&apos; is neither csv nor json</source>
        <translation>drover: --format „%1“ ist weder csv noch json</translation>
    </message>
    <message>
        <source>no machine is in group &apos;%1&apos;</source>
        <translation>keine Maschine ist in der Gruppe „%1“</translation>
    </message>
    <message>
        <source>cannot write %1: %2</source>
        <translation>%1 kann nicht geschrieben werden: %2</translation>
    </message>
    <message numerus="yes">
        <source>wrote the hardware of %n machine(s) to %1</source>
        <translation>
            <numerusform>die Hardware von %n Maschine nach %1 geschrieben</numerusform>
            <numerusform>die Hardware von %n Maschinen nach %1 geschrieben</numerusform>
        </translation>
    </message>
    <message>
        <source>Show the hardware a machine reported at its last boot.</source>
        <translation>Die Hardware zeigen, die eine Maschine bei ihrem letzten Boot gemeldet hat.</translation>
    </message>
    <message>
        <source>Export the hardware of every machine (or a group&apos;s) as CSV or JSON.</source>
        <translation>Die Hardware aller Maschinen (oder einer Gruppe) als CSV oder JSON exportieren.</translation>
    </message>
    <message>
        <source>Clear the &apos;hardware changed&apos; mark of machines.</source>
        <translation>Die Markierung „Hardware geändert“ von Maschinen entfernen.</translation>
    </message>
    <message>
        <source>Every machine of this group.</source>
        <translation>Jede Maschine dieser Gruppe.</translation>
    </message>
    <message>
        <source>Write the HTML page to FILE.</source>
        <translation>Die HTML-Seite in DATEI schreiben.</translation>
    </message>
    <message>
        <source>drover: name machines or --group GROUP, not both or neither</source>
        <translation>drover: nennen Sie Maschinen oder --group GRUPPE, nicht beides oder keins</translation>
    </message>
    <message>
        <source>Machines handed over</source>
        <translation>Übergebene Maschinen</translation>
    </message>
    <message>
        <source>Group %1</source>
        <translation>Gruppe %1</translation>
    </message>
    <message>
        <source>A printable hand-over page: each machine&apos;s hardware, labels and image.</source>
        <translation>Eine druckbare Übergabeseite: Hardware, Labels und Abbild jeder Maschine.</translation>
    </message>
</context>
<context>
    <name>IpxeScript</name>
    <message>
        <source>longer than 512 characters</source>
        <translation>länger als 512 Zeichen</translation>
    </message>
    <message>
        <source>starts with &apos;-&apos;, which iPXE would read as an option</source>
        <translation>beginnt mit &apos;-&apos;, was iPXE als Option lesen würde</translation>
    </message>
    <message>
        <source>reserved for Drover</source>
        <translation>für Drover reserviert</translation>
    </message>
    <message>
        <source>contains a character iPXE cannot pass on (%1)</source>
        <translation>enthält ein Zeichen, das iPXE nicht weitergeben kann (%1)</translation>
    </message>
    <message>
        <source>kernel argument &apos;%1&apos; from %2 dropped: %3</source>
        <translation>Kernelparameter &apos;%1&apos; aus %2 verworfen: %3</translation>
    </message>
    <message>
        <source>server URL &apos;%1&apos; is not http://host:port</source>
        <translation>Server-URL &apos;%1&apos; hat nicht die Form http://host:port</translation>
    </message>
    <message>
        <source>the image</source>
        <translation>dem Image</translation>
    </message>
    <message>
        <source>the group</source>
        <translation>der Gruppe</translation>
    </message>
    <message>
        <source>the machine</source>
        <translation>der Maschine</translation>
    </message>
    <message>
        <source>the kernel command line is %1 characters; x86 kernels keep only 2048</source>
        <translation>die Kernel-Befehlszeile hat %1 Zeichen; x86-Kernel behalten nur 2048</translation>
    </message>
    <message>
        <source>%1 boots %2</source>
        <translation>%1 bootet %2</translation>
    </message>
    <message>
        <source>download failed, trying again in %1 s</source>
        <translation>Download fehlgeschlagen, neuer Versuch in %1 s</translation>
    </message>
    <message>
        <source>%1 downloads failed, asking the server again</source>
        <translation>%1 Downloads fehlgeschlagen, der Server wird erneut gefragt</translation>
    </message>
    <message>
        <source>cannot reach the boot server at %1, trying again in 10 s</source>
        <translation>Bootserver unter %1 nicht erreichbar, neuer Versuch in 10 s</translation>
    </message>
    <message>
        <source>asking the server again in %1 s</source>
        <translation>erneute Anfrage an den Server in %1 s</translation>
    </message>
    <message>
        <source>%1 boots from its local disk</source>
        <translation>%1 startet von seiner lokalen Festplatte</translation>
    </message>
    <message>
        <source>%1 runs memtest86+</source>
        <translation>%1 führt memtest86+ aus</translation>
    </message>
    <message>
        <source>memtest86+ did not start (is Debian&apos;s memtest86+ package installed on the server?)</source>
        <translation>memtest86+ ist nicht gestartet (ist Debians Paket memtest86+ auf dem Server installiert?)</translation>
    </message>
    <message>
        <source>the boot menu of %1 has no entries</source>
        <translation>das Startmenü von %1 hat keine Einträge</translation>
    </message>
    <message>
        <source>%1 - choose what to boot</source>
        <translation>%1 - wählen Sie, was startet</translation>
    </message>
    <message>
        <source>%1 boots the ISO %2</source>
        <translation>%1 startet das ISO %2</translation>
    </message>
    <message>
        <source>the ISO %1 did not boot: it must boot from a CD-ROM</source>
        <translation>das ISO %1 ist nicht gestartet: es muss von einer CD-ROM starten können</translation>
    </message>
</context>
<context>
    <name>IsoFile</name>
    <message>
        <source>%1: no such file</source>
        <translation>%1: keine solche Datei</translation>
    </message>
    <message>
        <source>%1: not a regular file</source>
        <translation>%1: keine reguläre Datei</translation>
    </message>
    <message>
        <source>%1: cannot read: %2</source>
        <translation>%1: kann nicht gelesen werden: %2</translation>
    </message>
    <message>
        <source>%1 is not an ISO 9660 image: no volume descriptor at byte %2</source>
        <translation>%1 ist kein ISO-9660-Abbild: kein Volume-Deskriptor bei Byte %2</translation>
    </message>
    <message>
        <source>%1 is an ISO 9660 image without an El Torito boot record: no firmware can boot it from the network</source>
        <translation>%1 ist ein ISO-9660-Abbild ohne El-Torito-Boot-Record: keine Firmware kann es über das Netz starten</translation>
    </message>
    <message>
        <source>cannot store %1: %2</source>
        <translation>%1 kann nicht gespeichert werden: %2</translation>
    </message>
</context>
<context>
    <name>IsoRecord</name>
    <message>
        <source>&apos;%1&apos; cannot name an ISO: use 1 to 64 letters, digits, &apos;.&apos;, &apos;_&apos; or &apos;-&apos;, starting with a letter or digit</source>
        <translation>„%1“ kann kein ISO benennen: verwenden Sie 1 bis 64 Buchstaben, Ziffern, „.“, „_“ oder „-“, beginnend mit einem Buchstaben oder einer Ziffer</translation>
    </message>
</context>
<context>
    <name>IsoVerbs</name>
    <message>
        <source>The ISO&apos;s name (default: the file&apos;s name without .iso).</source>
        <translation>Der Name des ISOs (Standard: der Dateiname ohne .iso).</translation>
    </message>
    <message>
        <source>storing</source>
        <translation>wird gespeichert</translation>
    </message>
    <message>
        <source>added ISO %1 (%2, %3); boot a machine from it with drover assign MACHINE --target %4</source>
        <translation>ISO %1 hinzugefügt (%2, %3); starten Sie einen Rechner davon mit drover assign RECHNER --target %4</translation>
    </message>
    <message>
        <source>-</source>
        <translation>-</translation>
    </message>
    <message>
        <source>no ISOs; add one with drover iso add FILE.iso</source>
        <translation>keine ISOs; fügen Sie eines mit drover iso add DATEI.iso hinzu</translation>
    </message>
    <message>
        <source>NAME</source>
        <translation>NAME</translation>
    </message>
    <message>
        <source>SIZE</source>
        <translation>SIZE</translation>
    </message>
    <message>
        <source>DIGEST</source>
        <translation>DIGEST</translation>
    </message>
    <message>
        <source>ADDED</source>
        <translation>ADDED</translation>
    </message>
    <message>
        <source>USED BY</source>
        <translation>USED BY</translation>
    </message>
    <message>
        <source>removed ISO %1; drover image gc frees its bytes</source>
        <translation>ISO %1 entfernt; drover image gc gibt seine Bytes frei</translation>
    </message>
    <message>
        <source>Add a bootable ISO; machines boot it as the target iso:NAME.</source>
        <translation>Ein startfähiges ISO hinzufügen; Rechner starten es als Ziel iso:NAME.</translation>
    </message>
    <message>
        <source>List the ISOs and who uses them.</source>
        <translation>Die ISOs auflisten und wer sie verwendet.</translation>
    </message>
    <message>
        <source>Remove an ISO no machine uses (its bytes go at the next gc).</source>
        <translation>Ein ISO entfernen, das kein Rechner verwendet (seine Bytes gehen beim nächsten gc).</translation>
    </message>
</context>
<context>
    <name>Lifecycle</name>
    <message>
        <source>machine %1</source>
        <translation>Maschine %1</translation>
    </message>
    <message>
        <source>group %1</source>
        <translation>Gruppe %1</translation>
    </message>
    <message>
        <source>the default image</source>
        <translation>das Standard-Image</translation>
    </message>
    <message>
        <source>cannot assign %1 to %2: %3</source>
        <translation>Zuweisung von %1 an %2 nicht möglich: %3</translation>
    </message>
    <message>
        <source>cannot assign %1: the catalog refused the commit</source>
        <translation>%1 kann nicht zugewiesen werden: der Katalog hat das Commit abgelehnt</translation>
    </message>
    <message>
        <source>machine %1 has booted %2 already; use roll back instead</source>
        <translation>Maschine %1 hat %2 bereits gebootet; führen Sie stattdessen einen Rollback aus</translation>
    </message>
    <message>
        <source>no machine named &apos;%1&apos;</source>
        <translation>keine Maschine namens &apos;%1&apos;</translation>
    </message>
    <message>
        <source>%1 has no image assigned</source>
        <translation>%1 hat kein zugewiesenes Image</translation>
    </message>
    <message>
        <source>%1 has had no other image than %2</source>
        <translation>%1 hatte nie ein anderes Image als %2</translation>
    </message>
    <message>
        <source>roll back to %1</source>
        <translation>Rollback auf %1</translation>
    </message>
</context>
<context>
    <name>MachineConfig</name>
    <message>
        <source>unknown key (known: %1)</source>
        <translation>unbekannter Schlüssel (bekannt: %1)</translation>
    </message>
    <message>
        <source>must be a string</source>
        <translation>muss eine Zeichenkette sein</translation>
    </message>
    <message>
        <source>must be true or false</source>
        <translation>muss true oder false sein</translation>
    </message>
    <message>
        <source>must be a whole number</source>
        <translation>muss eine ganze Zahl sein</translation>
    </message>
    <message>
        <source>must be a list of strings</source>
        <translation>muss eine Liste von Zeichenketten sein</translation>
    </message>
    <message>
        <source>must be a list</source>
        <translation>muss eine Liste sein</translation>
    </message>
    <message>
        <source>must be an object</source>
        <translation>muss ein Objekt sein</translation>
    </message>
    <message>
        <source>must be an absolute path</source>
        <translation>muss ein absoluter Pfad sein</translation>
    </message>
    <message>
        <source>may contain only A-Z a-z 0-9 and . _ @ + : , = / -</source>
        <translation>darf nur A-Z a-z 0-9 und . _ @ + : , = / - enthalten</translation>
    </message>
    <message>
        <source>must not have . or .. components</source>
        <translation>darf keine Komponenten . oder .. enthalten</translation>
    </message>
    <message>
        <source>must not contain //</source>
        <translation>darf kein // enthalten</translation>
    </message>
    <message>
        <source>must not end with /</source>
        <translation>darf nicht auf / enden</translation>
    </message>
    <message>
        <source>must not be under /run, /proc, /sys or /dev (the init&apos;s own mounts hide them)</source>
        <translation>darf nicht unter /run, /proc, /sys oder /dev liegen (die eigenen Mounts des Init verdecken sie)</translation>
    </message>
    <message>
        <source>not valid JSON: %1 at line %2</source>
        <translation>kein gültiges JSON: %1 in Zeile %2</translation>
    </message>
    <message>
        <source>the configuration must be a JSON object</source>
        <translation>die Konfiguration muss ein JSON-Objekt sein</translation>
    </message>
    <message>
        <source>&apos;%1&apos; is not a user name</source>
        <translation>&apos;%1&apos; ist kein Benutzername</translation>
    </message>
    <message>
        <source>must be a list of authorized_keys lines</source>
        <translation>muss eine Liste von authorized_keys-Zeilen sein</translation>
    </message>
    <message>
        <source>not an authorized_keys line (TYPE KEY [COMMENT], printable ASCII on one line)</source>
        <translation>keine authorized_keys-Zeile (TYPE KEY [COMMENT], druckbares ASCII in einer Zeile)</translation>
    </message>
    <message>
        <source>must be an object: { &quot;USER&quot;: [&quot;KEYLINE&quot;, …] }</source>
        <translation>muss ein Objekt sein: { &quot;USER&quot;: [&quot;KEYLINE&quot;, …] }</translation>
    </message>
    <message>
        <source>write the mode as an octal string, like &quot;0644&quot;</source>
        <translation>geben Sie den Modus als Oktal-Zeichenkette an, etwa &quot;0644&quot;</translation>
    </message>
    <message>
        <source>must be &quot;text&quot; or &quot;base64&quot;</source>
        <translation>muss &quot;text&quot; oder &quot;base64&quot; sein</translation>
    </message>
    <message>
        <source>must be &quot;dhcp&quot; or &quot;static&quot;</source>
        <translation>muss &quot;dhcp&quot; oder &quot;static&quot; sein</translation>
    </message>
    <message>
        <source>&apos;%1&apos; is not a host name (letters, digits and -, dot-separated labels of at most 63, 253 in all)</source>
        <translation>&apos;%1&apos; ist kein Hostname (Buchstaben, Ziffern und -, durch Punkte getrennte Labels mit höchstens 63, insgesamt höchstens 253 Zeichen)</translation>
    </message>
    <message>
        <source>&apos;%1&apos; is not a user name (a-z, 0-9, _ and -, starting with a letter or _, at most 32)</source>
        <translation>&apos;%1&apos; ist kein Benutzername (a-z, 0-9, _ und -, beginnend mit einem Buchstaben oder _, höchstens 32 Zeichen)</translation>
    </message>
    <message>
        <source>user &apos;%1&apos; appears twice</source>
        <translation>Benutzer &apos;%1&apos; kommt doppelt vor</translation>
    </message>
    <message>
        <source>%1 is not between 1 and 65533</source>
        <translation>%1 liegt nicht zwischen 1 und 65533</translation>
    </message>
    <message>
        <source>&apos;%1&apos; is not an absolute path to a shell</source>
        <translation>&apos;%1&apos; ist kein absoluter Pfad zu einer Shell</translation>
    </message>
    <message>
        <source>&apos;%1&apos; is not a group name</source>
        <translation>&apos;%1&apos; ist kein Gruppenname</translation>
    </message>
    <message>
        <source>not a crypt hash like $6$… or $y$… (make one with mkpasswd or openssl passwd -6)</source>
        <translation>kein crypt-Hash wie $6$… oder $y$… (erzeugen Sie einen mit mkpasswd oder openssl passwd -6)</translation>
    </message>
    <message>
        <source>&apos;%1&apos; %2</source>
        <translation>&apos;%1&apos; %2</translation>
    </message>
    <message>
        <source>%1 appears twice</source>
        <translation>%1 kommt doppelt vor</translation>
    </message>
    <message>
        <source>&apos;%1&apos; is not an octal mode like 0644</source>
        <translation>&apos;%1&apos; ist kein Oktalmodus wie 0644</translation>
    </message>
    <message>
        <source>&apos;%1&apos; is not USER:GROUP</source>
        <translation>&apos;%1&apos; hat nicht die Form USER:GROUP</translation>
    </message>
    <message>
        <source>is not base64</source>
        <translation>ist kein gültiges Base64</translation>
    </message>
    <message>
        <source>a base64 file cannot be a template</source>
        <translation>eine Base64-Datei kann keine Vorlage sein</translation>
    </message>
    <message>
        <source>&apos;%1&apos; is not a script name (A-Z a-z 0-9 . _ -, starting with a letter or digit, at most 64)</source>
        <translation>&apos;%1&apos; ist kein Skriptname (A-Z a-z 0-9 . _ -, beginnend mit einem Buchstaben oder einer Ziffer, höchstens 64 Zeichen)</translation>
    </message>
    <message>
        <source>script &apos;%1&apos; appears twice</source>
        <translation>Skript &apos;%1&apos; kommt doppelt vor</translation>
    </message>
    <message>
        <source>is empty</source>
        <translation>ist leer</translation>
    </message>
    <message>
        <source>a static network needs an address like 10.0.0.5/24</source>
        <translation>ein statisches Netzwerk benötigt eine Adresse wie 10.0.0.5/24</translation>
    </message>
    <message>
        <source>an address or gateway needs mode &quot;static&quot;</source>
        <translation>eine Adresse oder ein Gateway erfordert mode &quot;static&quot;</translation>
    </message>
    <message>
        <source>&apos;%1&apos; is not an IPv4 address with a prefix like 10.0.0.5/24</source>
        <translation>&apos;%1&apos; ist keine IPv4-Adresse mit Präfix wie 10.0.0.5/24</translation>
    </message>
    <message>
        <source>&apos;%1&apos; is not an IPv4 address</source>
        <translation>&apos;%1&apos; ist keine IPv4-Adresse</translation>
    </message>
    <message>
        <source>group %1</source>
        <translation>Gruppe %1</translation>
    </message>
    <message>
        <source>machine %1</source>
        <translation>Maschine %1</translation>
    </message>
    <message>
        <source>the stored configuration of %1 is invalid: %2</source>
        <translation>die gespeicherte Konfiguration von %1 ist ungültig: %2</translation>
    </message>
</context>
<context>
    <name>MachineNaming</name>
    <message>
        <source>a machine needs a name</source>
        <translation>eine Maschine braucht einen Namen</translation>
    </message>
    <message>
        <source>&apos;%1&apos; is not a host name: letters, digits and &apos;-&apos;, at most 63, not starting or ending with &apos;-&apos;</source>
        <translation>„%1“ ist kein Hostname: Buchstaben, Ziffern und „-“, höchstens 63, nicht mit „-“ am Anfang oder Ende</translation>
    </message>
    <message>
        <source>the pattern &apos;%1&apos; has no {n} (or {n:02}) for the number</source>
        <translation>das Muster „%1“ hat kein {n} (oder {n:02}) für die Nummer</translation>
    </message>
    <message>
        <source>the pattern &apos;%1&apos; has a placeholder other than {n} or {n:0W}</source>
        <translation>das Muster „%1“ hat einen anderen Platzhalter als {n} oder {n:0W}</translation>
    </message>
    <message>
        <source>numbers start at 0 or more, not %1</source>
        <translation>Nummern beginnen bei 0 oder mehr, nicht bei %1</translation>
    </message>
    <message>
        <source>%1 is in the active rollout of %2: rename it once the rollout is over</source>
        <translation>%1 ist im laufenden Rollout von %2: benennen Sie sie um, wenn das Rollout vorbei ist</translation>
    </message>
</context>
<context>
    <name>MachinePower</name>
    <message>
        <source>%1 by %2: %3</source>
        <translation>%1 durch %2: %3</translation>
    </message>
    <message>
        <source>%1; but the event was not recorded: %2</source>
        <translation>%1; das Ereignis wurde jedoch nicht protokolliert: %2</translation>
    </message>
</context>
<context>
    <name>MachineRender</name>
    <message>
        <source>hostname</source>
        <translation>hostname</translation>
    </message>
    <message>
        <source>hostname: &apos;%1&apos; is not a valid host name (RFC 1123 labels, at most 253 characters)</source>
        <translation>hostname: &apos;%1&apos; ist kein gültiger Hostname (Labels nach RFC 1123, höchstens 253 Zeichen)</translation>
    </message>
    <message>
        <source>the machine&apos;s name is not a host name: the image keeps its own</source>
        <translation>der Name der Maschine ist kein Hostname: das Image behält seinen eigenen</translation>
    </message>
    <message>
        <source>user %1: a shell or groups need a uid (without one the user must exist in the image)</source>
        <translation>Benutzer %1: eine Shell oder Gruppen erfordern eine UID (ohne UID muss der Benutzer im Image existieren)</translation>
    </message>
    <message>
        <source>network.dns: &apos;%1&apos; is not an IPv4 address</source>
        <translation>network.dns: &apos;%1&apos; ist keine IPv4-Adresse</translation>
    </message>
    <message>
        <source>network.address: &apos;%1&apos; is not an IPv4 address with a prefix</source>
        <translation>network.address: &apos;%1&apos; ist keine IPv4-Adresse mit Präfix</translation>
    </message>
    <message>
        <source>network.gateway: &apos;%1&apos; is not an IPv4 address</source>
        <translation>network.gateway: &apos;%1&apos; ist keine IPv4-Adresse</translation>
    </message>
    <message>
        <source>file %1</source>
        <translation>Datei %1</translation>
    </message>
    <message>
        <source>%1, line %2: &apos;{{&apos; without a closing &apos;}}&apos;</source>
        <translation>%1, Zeile %2: &apos;{{&apos; ohne schließendes &apos;}}&apos;</translation>
    </message>
    <message>
        <source>%1, line %2: {{ip}}: the address of machine %3 is not known yet (it is filled in when the machine fetches its configuration)</source>
        <translation>%1, Zeile %2: {{ip}}: die Adresse von Maschine %3 ist noch nicht bekannt (sie wird eingesetzt, wenn die Maschine ihre Konfiguration abruft)</translation>
    </message>
    <message>
        <source>%1, line %2: {{%3}}: machine %4 has no label &apos;%5&apos;</source>
        <translation>%1, Zeile %2: {{%3}}: Maschine %4 hat kein Label &apos;%5&apos;</translation>
    </message>
    <message>
        <source>%1, line %2: unknown placeholder {{%3}} (known: {{name}}, {{mac}}, {{ip}}, {{label.KEY}})</source>
        <translation>%1, Zeile %2: unbekannter Platzhalter {{%3}} (bekannt: {{name}}, {{mac}}, {{ip}}, {{label.KEY}})</translation>
    </message>
    <message>
        <source>Drover configuration of %1 (%2)</source>
        <translation>Drover-Konfiguration von %1 (%2)</translation>
    </message>
    <message>
        <source>from %1</source>
        <translation>aus %1</translation>
    </message>
</context>
<context>
    <name>MachineVerbs</name>
    <message>
        <source>The machine&apos;s MAC address.</source>
        <translation>Die MAC-Adresse der Maschine.</translation>
    </message>
    <message>
        <source>The machine&apos;s SMBIOS UUID.</source>
        <translation>Die SMBIOS-UUID der Maschine.</translation>
    </message>
    <message>
        <source>A label KEY=VALUE; group=NAME puts it in a group.</source>
        <translation>Ein Label KEY=VALUE; group=NAME fügt sie einer Gruppe hinzu.</translation>
    </message>
    <message>
        <source>drover: --mac &apos;%1&apos; is not a MAC address like 52:54:00:12:34:56</source>
        <translation>drover: --mac „%1“ ist keine MAC-Adresse wie 52:54:00:12:34:56</translation>
    </message>
    <message>
        <source>drover: --label &apos;%1&apos; is not KEY=VALUE</source>
        <translation>drover: --label „%1“ hat nicht die Form KEY=VALUE</translation>
    </message>
    <message>
        <source>added machine %1 (%2)</source>
        <translation>Maschine %1 hinzugefügt (%2)</translation>
    </message>
    <message>
        <source>NAME</source>
        <translation>NAME</translation>
    </message>
    <message>
        <source>MAC</source>
        <translation>MAC</translation>
    </message>
    <message>
        <source>STATE</source>
        <translation>STATE</translation>
    </message>
    <message>
        <source>IMAGE</source>
        <translation>IMAGE</translation>
    </message>
    <message>
        <source>LABELS</source>
        <translation>LABELS</translation>
    </message>
    <message>
        <source>no machine named &apos;%1&apos;</source>
        <translation>keine Maschine namens „%1“</translation>
    </message>
    <message>
        <source>removed machine %1</source>
        <translation>Maschine %1 entfernt</translation>
    </message>
    <message>
        <source>drover: &apos;%1&apos; is not KEY=VALUE (an empty VALUE removes the label)</source>
        <translation>drover: „%1“ hat nicht die Form KEY=VALUE (ein leerer VALUE entfernt das Label)</translation>
    </message>
    <message>
        <source>Add a machine to the catalog.</source>
        <translation>Eine Maschine zum Katalog hinzufügen.</translation>
    </message>
    <message>
        <source>List the machines.</source>
        <translation>Die Maschinen auflisten.</translation>
    </message>
    <message>
        <source>Show one machine.</source>
        <translation>Eine Maschine anzeigen.</translation>
    </message>
    <message>
        <source>Remove machines from the catalog.</source>
        <translation>Maschinen aus dem Katalog entfernen.</translation>
    </message>
    <message>
        <source>Set or remove (K=) labels of a machine.</source>
        <translation>Labels einer Maschine setzen oder entfernen (K=).</translation>
    </message>
    <message>
        <source>%1 (drover inventory show %2)</source>
        <translation>%1 (drover inventory show %2)</translation>
    </message>
    <message>
        <source>not reported yet</source>
        <translation>noch nicht gemeldet</translation>
    </message>
    <message>
        <source>The number of the first machine (default 1).</source>
        <translation>Die Nummer der ersten Maschine (Vorgabe 1).</translation>
    </message>
    <message>
        <source>A label KEY=VALUE every named machine gets.</source>
        <translation>Ein Label SCHLÜSSEL=WERT, das jede benannte Maschine bekommt.</translation>
    </message>
    <message>
        <source>drover: --first &apos;%1&apos; is not a number</source>
        <translation>drover: --first „%1“ ist keine Zahl</translation>
    </message>
    <message>
        <source>%1 is now %2</source>
        <translation>%1 heißt jetzt %2</translation>
    </message>
    <message>
        <source>Rename machines from a pattern: lab-{n:02} gives lab-01, lab-02, … in the order given.</source>
        <translation>Maschinen nach einem Muster umbenennen: lab-{n:02} ergibt lab-01, lab-02, … in der angegebenen Reihenfolge.</translation>
    </message>
    <message>
        <source>failed %1; no rollout reaches it until cleared (drover tests clear %2)</source>
        <translation>fehlgeschlagen %1; kein Rollout erreicht sie, bis der Fehler aufgehoben ist (drover tests clear %2)</translation>
    </message>
    <message>
        <source>no tests run</source>
        <translation>keine Tests gelaufen</translation>
    </message>
    <message>
        <source>passed %1</source>
        <translation>bestanden %1</translation>
    </message>
    <message>
        <source>failed %1, cleared</source>
        <translation>fehlgeschlagen %1, aufgehoben</translation>
    </message>
</context>
<context>
    <name>Manifest</name>
    <message>
        <source>%1.digest: not a sha256 digest</source>
        <translation>%1.digest: kein sha256-Digest</translation>
    </message>
    <message>
        <source>%1.size: not a size in bytes</source>
        <translation>%1.size: keine Größe in Bytes</translation>
    </message>
    <message>
        <source>manifest: %1 at byte %2</source>
        <translation>Manifest: %1 bei Byte %2</translation>
    </message>
    <message>
        <source>manifest: not a JSON object</source>
        <translation>Manifest: kein JSON-Objekt</translation>
    </message>
    <message>
        <source>manifest: mediaType is not %1</source>
        <translation>Manifest: mediaType ist nicht %1</translation>
    </message>
    <message>
        <source>manifest: schemaVersion %1 is not supported</source>
        <translation>Manifest: schemaVersion %1 wird nicht unterstützt</translation>
    </message>
    <message>
        <source>manifest: name &apos;%1&apos; is not a valid image name</source>
        <translation>Manifest: name &apos;%1&apos; ist kein gültiger Image-Name</translation>
    </message>
    <message>
        <source>manifest: version &apos;%1&apos; is not a valid version</source>
        <translation>Manifest: version &apos;%1&apos; ist keine gültige Version</translation>
    </message>
    <message>
        <source>manifest: format &apos;%1&apos; is neither layers nor initramfs</source>
        <translation>Manifest: format &apos;%1&apos; ist weder layers noch initramfs</translation>
    </message>
    <message>
        <source>manifest: %1</source>
        <translation>Manifest: %1</translation>
    </message>
    <message>
        <source>manifest: %1.type &apos;%2&apos; is neither squashfs nor erofs</source>
        <translation>Manifest: %1.type &apos;%2&apos; ist weder squashfs noch erofs</translation>
    </message>
    <message>
        <source>manifest: format layers but no layers</source>
        <translation>Manifest: format layers, aber keine Schichten</translation>
    </message>
    <message>
        <source>manifest: recipeDigest is not a sha256 digest</source>
        <translation>Manifest: recipeDigest ist kein sha256-Digest</translation>
    </message>
</context>
<context>
    <name>ModInfo</name>
    <message>
        <source>cannot read the module %1</source>
        <translation>das Modul %1 kann nicht gelesen werden</translation>
    </message>
    <message>
        <source>cannot read the module %1: %2</source>
        <translation>das Modul %1 kann nicht gelesen werden: %2</translation>
    </message>
    <message>
        <source>%1 is not a kernel module</source>
        <translation>%1 ist kein Kernelmodul</translation>
    </message>
</context>
<context>
    <name>ModuleClasses</name>
    <message>
        <source>wired network drivers and protocols</source>
        <translation>kabelgebundene Netzwerktreiber und -protokolle</translation>
    </message>
    <message>
        <source>Wi-Fi and Bluetooth</source>
        <translation>WLAN und Bluetooth</translation>
    </message>
    <message>
        <source>disks: SATA, SCSI, NVMe, USB storage, MMC, RAID</source>
        <translation>Datenträger: SATA, SCSI, NVMe, USB-Speicher, MMC, RAID</translation>
    </message>
    <message>
        <source>virtio devices of virtual machines</source>
        <translation>virtio-Geräte virtueller Maschinen</translation>
    </message>
    <message>
        <source>Hyper-V, VMware and Xen devices</source>
        <translation>Hyper-V-, VMware- und Xen-Geräte</translation>
    </message>
    <message>
        <source>file systems</source>
        <translation>Dateisysteme</translation>
    </message>
    <message>
        <source>USB host controllers and devices, keyboards and mice</source>
        <translation>USB-Host-Controller und -Geräte, Tastaturen und Mäuse</translation>
    </message>
    <message>
        <source>keyboards, mice and other input devices</source>
        <translation>Tastaturen, Mäuse und andere Eingabegeräte</translation>
    </message>
    <message>
        <source>graphics</source>
        <translation>Grafik</translation>
    </message>
    <message>
        <source>sound</source>
        <translation>Audio</translation>
    </message>
    <message>
        <source>cameras, TV and video capture</source>
        <translation>Kameras, TV und Videoaufnahme</translation>
    </message>
    <message>
        <source>ACPI, sensors, watchdogs, serial ports, platform drivers</source>
        <translation>ACPI, Sensoren, Watchdogs, serielle Schnittstellen, Plattformtreiber</translation>
    </message>
    <message>
        <source>InfiniBand and RDMA</source>
        <translation>InfiniBand und RDMA</translation>
    </message>
    <message>
        <source>every module the kernel ships</source>
        <translation>alle Module, die der Kernel mitliefert</translation>
    </message>
    <message>
        <source>Ethernet of desktop PCs and laptops (Intel, Realtek, Broadcom, Atheros, Marvell, Aquantia, USB adapters) and the protocols a client uses</source>
        <translation>Ethernet von Desktop-PCs und Laptops (Intel, Realtek, Broadcom, Atheros, Marvell, Aquantia, USB-Adapter) und die Protokolle, die ein Client nutzt</translation>
    </message>
    <message>
        <source>disks of PCs: SATA, NVMe, USB storage, SD cards, CD/DVD; LVM and encrypted disks</source>
        <translation>Datenträger von PCs: SATA, NVMe, USB-Speicher, SD-Karten, CD/DVD; LVM und verschlüsselte Datenträger</translation>
    </message>
    <message>
        <source>common file systems: ext4, Btrfs, XFS, FAT, exFAT, NTFS, ISO 9660, UDF, NFS and SMB clients, FUSE</source>
        <translation>gängige Dateisysteme: ext4, Btrfs, XFS, FAT, exFAT, NTFS, ISO 9660, UDF, NFS- und SMB-Client, FUSE</translation>
    </message>
    <message>
        <source>USB host controllers, USB-C and Thunderbolt, USB storage, printers, modems and serial adapters</source>
        <translation>USB-Host-Controller, USB-C und Thunderbolt, USB-Speicher, Drucker, Modems und serielle Adapter</translation>
    </message>
    <message>
        <source>keyboards, mice and touchpads of PCs and laptops (USB, PS/2, I2C), without game controllers, tablets and touchscreens</source>
        <translation>Tastaturen, Mäuse und Touchpads von PCs und Laptops (USB, PS/2, I2C), ohne Gamecontroller, Grafiktabletts und Touchscreens</translation>
    </message>
</context>
<context>
    <name>ModulesDep</name>
    <message>
        <source>modules.dep line %1: no &apos;:&apos; after the module path</source>
        <translation>modules.dep Zeile %1: kein &apos;:&apos; nach dem Modulpfad</translation>
    </message>
    <message>
        <source>cannot read %1: %2</source>
        <translation>%1 kann nicht gelesen werden: %2</translation>
    </message>
</context>
<context>
    <name>Mounts</name>
    <message>
        <source>cannot open %1: %2</source>
        <translation>%1 kann nicht geöffnet werden: %2</translation>
    </message>
    <message>
        <source>no loop devices (/dev/loop-control: %1)</source>
        <translation>keine Loop-Geräte (/dev/loop-control: %1)</translation>
    </message>
    <message>
        <source>cannot set up a loop device for %1: %2</source>
        <translation>für %1 kann kein Loop-Gerät eingerichtet werden: %2</translation>
    </message>
    <message>
        <source>cannot create a private mount namespace (building needs root): %1</source>
        <translation>ein privater Mount-Namensraum kann nicht erstellt werden (Bauen erfordert Root-Rechte): %1</translation>
    </message>
    <message>
        <source>cannot mount the work directory %1: %2</source>
        <translation>das Arbeitsverzeichnis %1 kann nicht eingehängt werden: %2</translation>
    </message>
    <message>
        <source>cannot make %1 a private mount point: %2</source>
        <translation>%1 kann nicht zu einem privaten Einhängepunkt gemacht werden: %2</translation>
    </message>
    <message>
        <source>cannot mount %1 (%2) on %3: %4</source>
        <translation>%1 (%2) kann nicht unter %3 eingehängt werden: %4</translation>
    </message>
    <message>
        <source>cannot unmount %1: %2</source>
        <translation>%1 kann nicht ausgehängt werden: %2</translation>
    </message>
    <message>
        <source>cannot remove %1: %2</source>
        <translation>%1 kann nicht entfernt werden: %2</translation>
    </message>
</context>
<context>
    <name>OciExport</name>
    <message>
        <source>cancelled</source>
        <translation>abgebrochen</translation>
    </message>
    <message>
        <source>%1 failed (%2): %3</source>
        <translation>%1 fehlgeschlagen (%2): %3</translation>
    </message>
    <message>
        <source>cannot remove %1: %2</source>
        <translation>%1 kann nicht entfernt werden: %2</translation>
    </message>
    <message>
        <source>cannot set the owner and mode of %1: %2</source>
        <translation>Eigentümer und Modus von %1 können nicht gesetzt werden: %2</translation>
    </message>
    <message>
        <source>cannot copy the attribute %1 to %2: %3</source>
        <translation>das Attribut %1 kann nicht nach %2 kopiert werden: %3</translation>
    </message>
    <message>
        <source>cannot read %1: %2</source>
        <translation>%1 kann nicht gelesen werden: %2</translation>
    </message>
    <message>
        <source>cannot move %1 to %2: %3</source>
        <translation>%1 kann nicht nach %2 verschoben werden: %3</translation>
    </message>
    <message>
        <source>cannot create %1</source>
        <translation>%1 kann nicht angelegt werden</translation>
    </message>
    <message>
        <source>cannot write %1: %2</source>
        <translation>%1 kann nicht geschrieben werden: %2</translation>
    </message>
    <message>
        <source>%1 keeps its whole root in the initramfs (format &quot;initramfs&quot;); only an image with layers can be exported as a container image</source>
        <translation>%1 hält seine ganze Wurzel im Initramfs (Format „initramfs“); nur ein Abbild mit Schichten lässt sich als Container-Abbild exportieren</translation>
    </message>
    <message>
        <source>%1 exists already; give a new directory or FILE.tar</source>
        <translation>%1 gibt es schon; geben Sie ein neues Verzeichnis oder DATEI.tar an</translation>
    </message>
    <message>
        <source>no directory %1 to write %2 in</source>
        <translation>kein Verzeichnis %1, in das %2 geschrieben werden könnte</translation>
    </message>
    <message>
        <source>cannot create a working directory in %1: %2</source>
        <translation>in %1 kann kein Arbeitsverzeichnis angelegt werden: %2</translation>
    </message>
    <message>
        <source>unpacking layer %1 (%2)</source>
        <translation>Schicht %1 wird entpackt (%2)</translation>
    </message>
    <message>
        <source>layer %1 of %2: %3</source>
        <translation>Schicht %1 von %2: %3</translation>
    </message>
    <message>
        <source>cannot copy the kernel to %1</source>
        <translation>der Kernel kann nicht nach %1 kopiert werden</translation>
    </message>
    <message>
        <source>writing the root as one layer</source>
        <translation>die Wurzel wird als eine Schicht geschrieben</translation>
    </message>
    <message>
        <source>cannot name the layer in %1</source>
        <translation>die Schicht in %1 kann nicht benannt werden</translation>
    </message>
    <message>
        <source>cannot move the archive to %1: %2</source>
        <translation>das Archiv kann nicht nach %1 verschoben werden: %2</translation>
    </message>
    <message>
        <source>cannot move the layout to %1: %2</source>
        <translation>das Layout kann nicht nach %1 verschoben werden: %2</translation>
    </message>
    <message>
        <source>root %1</source>
        <translation>Wurzel %1</translation>
    </message>
    <message>
        <source>%1: /boot in the image&apos;s root is a symlink; the kernel cannot be put there</source>
        <translation>%1: /boot in der Wurzel des Abbilds ist ein symbolischer Link; der Kernel kann dort nicht abgelegt werden</translation>
    </message>
</context>
<context>
    <name>OciSource</name>
    <message>
        <source>cannot read %1: %2</source>
        <translation>%1 ist nicht lesbar: %2</translation>
    </message>
    <message>
        <source>%1 is larger than 16 MiB</source>
        <translation>%1 ist größer als 16 MiB</translation>
    </message>
    <message>
        <source>%1 is not valid JSON: %2</source>
        <translation>%1 ist kein gültiges JSON: %2</translation>
    </message>
    <message>
        <source>unsupported or malformed digest &quot;%1&quot;</source>
        <translation>nicht unterstützte oder fehlerhafte Prüfsumme „%1“</translation>
    </message>
    <message>
        <source>blob %1 does not match its digest (it is %2)</source>
        <translation>Blob %1 passt nicht zu seiner Prüfsumme (sie ist %2)</translation>
    </message>
    <message numerus="yes">
        <source>%1 names %n images and none for linux/amd64</source>
        <translation>
            <numerusform>%1 nennt %n Image und keines für linux/amd64</numerusform>
            <numerusform>%1 nennt %n Images und keines für linux/amd64</numerusform>
        </translation>
    </message>
    <message>
        <source>the image&apos;s config: %1</source>
        <translation>die Konfiguration des Images: %1</translation>
    </message>
    <message>
        <source>the image&apos;s manifest names no layers</source>
        <translation>das Manifest des Images nennt keine Schichten</translation>
    </message>
    <message>
        <source>layer %1: %2</source>
        <translation>Schicht %1: %2</translation>
    </message>
    <message numerus="yes">
        <source>the docker-archive holds %n images; import one at a time</source>
        <translation>
            <numerusform>das docker-archive enthält %n Image; importieren Sie eines nach dem anderen</numerusform>
            <numerusform>das docker-archive enthält %n Images; importieren Sie eines nach dem anderen</numerusform>
        </translation>
    </message>
    <message>
        <source>manifest.json names the config &quot;%1&quot;</source>
        <translation>manifest.json nennt die Konfiguration „%1“</translation>
    </message>
    <message>
        <source>manifest.json names %1 layers, the config %2 diff_ids</source>
        <translation>manifest.json nennt %1 Schichten, die Konfiguration %2 diff_ids</translation>
    </message>
    <message>
        <source>manifest.json names the layer &quot;%1&quot;</source>
        <translation>manifest.json nennt die Schicht „%1“</translation>
    </message>
    <message>
        <source>layer %1 (%2) does not match the config&apos;s diff_id %3</source>
        <translation>Schicht %1 (%2) passt nicht zur diff_id %3 der Konfiguration</translation>
    </message>
    <message>
        <source>%1 is neither an OCI image layout (index.json) nor a docker-archive (manifest.json)</source>
        <translation>%1 ist weder ein OCI-Image-Layout (index.json) noch ein docker-archive (manifest.json)</translation>
    </message>
    <message>
        <source>%1 is a symlink; an image&apos;s blobs are files</source>
        <translation>%1 ist ein symbolischer Link; die Blobs eines Images sind Dateien</translation>
    </message>
</context>
<context>
    <name>PackageIndex</name>
    <message>
        <source>apt has no package lists in %1 (run apt-get update); type package names instead</source>
        <translation>apt hat keine Paketlisten in %1 (führen Sie apt-get update aus); geben Sie die Paketnamen stattdessen von Hand ein</translation>
    </message>
    <message>
        <source>the package lists in %1 are compressed, which Drover cannot read; type package names instead</source>
        <translation>die Paketlisten in %1 sind komprimiert und für Drover nicht lesbar; geben Sie die Paketnamen stattdessen von Hand ein</translation>
    </message>
    <message>
        <source>the host&apos;s apt has no lists for %1; showing what it has for other suites, which may differ</source>
        <translation>das apt des Hosts hat keine Listen für %1; angezeigt wird, was es für andere Suites hat, was abweichen kann</translation>
    </message>
</context>
<context>
    <name>PowerControl</name>
    <message>
        <source>Wake-on-LAN: &apos;%1&apos; is not a MAC address</source>
        <translation>Wake-on-LAN: &apos;%1&apos; ist keine MAC-Adresse</translation>
    </message>
    <message>
        <source>%1: cannot run %2: %3 (is it installed?)</source>
        <translation>%1: %2 kann nicht ausgeführt werden: %3 (ist es installiert?)</translation>
    </message>
    <message>
        <source>%1: no answer within %2 s</source>
        <translation>%1: keine Antwort innerhalb von %2 s</translation>
    </message>
    <message>
        <source>%1: %2 exited with status %3: %4</source>
        <translation>%1: %2 wurde mit Status %3 beendet: %4</translation>
    </message>
    <message>
        <source>IPMI %1</source>
        <translation>IPMI %1</translation>
    </message>
    <message>
        <source>%1: chassis power %2: %3</source>
        <translation>%1: chassis power %2: %3</translation>
    </message>
    <message>
        <source>Redfish %1</source>
        <translation>Redfish %1</translation>
    </message>
    <message>
        <source>%1: %2</source>
        <translation>%1: %2</translation>
    </message>
    <message>
        <source>%1: the BMC refused the user %2 (HTTP %3)</source>
        <translation>%1: der BMC hat den Benutzer %2 abgelehnt (HTTP %3)</translation>
    </message>
    <message>
        <source>%1: HTTP %2 for %3: %4</source>
        <translation>%1: HTTP %2 für %3: %4</translation>
    </message>
    <message>
        <source>%1: %2 has no PowerState</source>
        <translation>%1: %2 hat keinen PowerState</translation>
    </message>
    <message>
        <source>%1: %2 is %3</source>
        <translation>%1: %2 ist %3</translation>
    </message>
    <message>
        <source>%1: %2 reset %3</source>
        <translation>%1: %2 zurückgesetzt (%3)</translation>
    </message>
    <message>
        <source>ssh %1@%2</source>
        <translation>ssh %1@%2</translation>
    </message>
    <message>
        <source>QMP %1</source>
        <translation>QMP %1</translation>
    </message>
    <message>
        <source>%1: no virtual machine listens</source>
        <translation>%1: keine virtuelle Maschine lauscht</translation>
    </message>
    <message>
        <source>%1: cannot connect: %2 (is the virtual machine running?)</source>
        <translation>%1: Verbindung nicht möglich: %2 (läuft die virtuelle Maschine?)</translation>
    </message>
    <message>
        <source>%1: %2 failed: %3</source>
        <translation>%1: %2 fehlgeschlagen: %3</translation>
    </message>
    <message>
        <source>%1: running already</source>
        <translation>%1: läuft bereits</translation>
    </message>
    <message>
        <source>%1: started (was %2)</source>
        <translation>%1: gestartet (war %2)</translation>
    </message>
    <message>
        <source>%1: reset</source>
        <translation>%1: zurückgesetzt</translation>
    </message>
    <message>
        <source>%1: powered off</source>
        <translation>%1: ausgeschaltet</translation>
    </message>
    <message>
        <source>Wake-on-LAN can only switch a machine on; set IPMI, Redfish, ssh or QMP to %1 it</source>
        <translation>Wake-on-LAN kann eine Maschine nur einschalten; für %1 legen Sie IPMI, Redfish, ssh oder QMP fest</translation>
    </message>
    <message>
        <source>%1 cannot switch a machine on: it needs the machine running; use Wake-on-LAN, IPMI, Redfish or QMP</source>
        <translation>%1 kann keine Maschine einschalten, da es eine laufende Maschine voraussetzt; verwenden Sie Wake-on-LAN, IPMI, Redfish oder QMP</translation>
    </message>
    <message>
        <source>%1 (%2)</source>
        <translation>%1 (%2)</translation>
    </message>
    <message>
        <source>Wake-on-LAN: cannot send to %1</source>
        <translation>Wake-on-LAN: kann nicht an %1 senden</translation>
    </message>
    <message>
        <source>Wake-on-LAN magic packet for %1 sent to %2</source>
        <translation>Wake-on-LAN-Paket für %1 an %2 gesendet</translation>
    </message>
    <message>
        <source>; not sent to %1</source>
        <translation>; nicht an %1 gesendet</translation>
    </message>
    <message>
        <source>%1: %2 crashed: %3</source>
        <translation>%1: %2 ist abgestürzt: %3</translation>
    </message>
    <message>
        <source>%1: %2 (the connection closed as the machine went down)</source>
        <translation>%1: %2 (die Verbindung endete, als die Maschine herunterfuhr)</translation>
    </message>
    <message>
        <source>%1: ssh failed (exit status 255), the machine was not reached: %2</source>
        <translation>%1: ssh fehlgeschlagen (Exit-Status 255), die Maschine wurde nicht erreicht: %2</translation>
    </message>
    <message>
        <source>%1: &apos;%2&apos; failed on the machine with status %3: %4</source>
        <translation>%1: „%2“ schlug auf der Maschine mit Status %3 fehl: %4</translation>
    </message>
    <message>
        <source>%1: logged in, the system is running</source>
        <translation>%1: angemeldet, das System läuft</translation>
    </message>
</context>
<context>
    <name>PowerSpec</name>
    <message>
        <source>power: &apos;%1&apos; is not a URL such as ipmi://admin:secret@10.0.0.50</source>
        <translation>power: &apos;%1&apos; ist keine URL wie ipmi://admin:secret@10.0.0.50</translation>
    </message>
    <message>
        <source>power: %1 needs a host: %2</source>
        <translation>power: %1 benötigt einen Host: %2</translation>
    </message>
    <message>
        <source>power: Wake-on-LAN needs an IPv4 broadcast address, not &apos;%1&apos;</source>
        <translation>power: Wake-on-LAN benötigt eine IPv4-Broadcast-Adresse, nicht &apos;%1&apos;</translation>
    </message>
    <message>
        <source>power: IPMI needs a user: ipmi://USER:PASSWORD@%1</source>
        <translation>power: IPMI benötigt einen Benutzer: ipmi://USER:PASSWORD@%1</translation>
    </message>
    <message>
        <source>power: &apos;%1&apos; is not a Redfish system such as Systems/1</source>
        <translation>power: &apos;%1&apos; ist kein Redfish-System wie Systems/1</translation>
    </message>
    <message>
        <source>power: the ssh identity must be an absolute path, not &apos;%1&apos;</source>
        <translation>power: die ssh-Identität muss ein absoluter Pfad sein, nicht &apos;%1&apos;</translation>
    </message>
    <message>
        <source>power: QMP needs the socket&apos;s absolute path: qmp:///run/drover/vm-1.qmp</source>
        <translation>power: QMP benötigt den absoluten Pfad des Sockets: qmp:///run/drover/vm-1.qmp</translation>
    </message>
    <message>
        <source>power: unknown method &apos;%1&apos;; use wol, ipmi, redfish, redfish+http, ssh or qmp</source>
        <translation>power: unbekannte Methode &apos;%1&apos;; verwenden Sie wol, ipmi, redfish, redfish+http, ssh oder qmp</translation>
    </message>
    <message>
        <source>power: a host or user may not start with &apos;-&apos;: %1</source>
        <translation>power: ein Host oder Benutzer darf nicht mit &apos;-&apos; beginnen: %1</translation>
    </message>
    <message>
        <source>Wake-on-LAN</source>
        <translation>Wake-on-LAN</translation>
    </message>
    <message>
        <source>IPMI</source>
        <translation>IPMI</translation>
    </message>
    <message>
        <source>Redfish</source>
        <translation>Redfish</translation>
    </message>
    <message>
        <source>ssh</source>
        <translation>ssh</translation>
    </message>
    <message>
        <source>QMP</source>
        <translation>QMP</translation>
    </message>
    <message>
        <source>setting %1: %2</source>
        <translation>Einstellung %1: %2</translation>
    </message>
    <message>
        <source>power: no key to seal the password with (the catalog was not opened from a data directory); the password was not stored</source>
        <translation>Energie: kein Schlüssel zum Versiegeln des Passworts (der Katalog wurde nicht aus einem Datenverzeichnis geöffnet); das Passwort wurde nicht gespeichert</translation>
    </message>
    <message>
        <source>setting %1: the password stays in clear: %2</source>
        <translation>Einstellung %1: das Passwort bleibt im Klartext: %2</translation>
    </message>
    <message>
        <source>setting %1: its password is sealed and this catalog was opened without its data directory&apos;s key (secrets.key)</source>
        <translation>Einstellung %1: ihr Passwort ist versiegelt, und dieser Katalog wurde ohne den Schlüssel seines Datenverzeichnisses (secrets.key) geöffnet</translation>
    </message>
</context>
<context>
    <name>PowerVerbs</name>
    <message>
        <source>Give up after this many seconds (default 20).</source>
        <translation>Nach so vielen Sekunden aufgeben (Standard: 20).</translation>
    </message>
    <message>
        <source>drover: &apos;%1&apos; is not one of on, off, cycle, wake, status</source>
        <translation>drover: „%1“ ist nicht on, off, cycle, wake oder status</translation>
    </message>
    <message>
        <source>no machine named &apos;%1&apos;</source>
        <translation>keine Maschine namens „%1“</translation>
    </message>
    <message>
        <source>--timeout: &apos;%1&apos; is not a number of seconds</source>
        <translation>--timeout: „%1“ ist keine Anzahl von Sekunden</translation>
    </message>
    <message>
        <source>TARGET is a group (machines labelled group=TARGET).</source>
        <translation>TARGET ist eine Gruppe (Maschinen mit dem Label group=TARGET).</translation>
    </message>
    <message>
        <source>Remove the setting: the group&apos;s, else Wake-on-LAN, applies.</source>
        <translation>Die Einstellung entfernen: dann gilt die der Gruppe, sonst Wake-on-LAN.</translation>
    </message>
    <message>
        <source>&apos;%1&apos; is neither a machine nor a group; use --group for a new group</source>
        <translation>„%1“ ist weder eine Maschine noch eine Gruppe; verwenden Sie --group für eine neue Gruppe</translation>
    </message>
    <message>
        <source>%1: power setting removed</source>
        <translation>%1: Einstellung zur Stromsteuerung entfernt</translation>
    </message>
    <message>
        <source>%1 %2: %3 (%4)</source>
        <translation>%1 %2: %3 (%4)</translation>
    </message>
    <message>
        <source>group</source>
        <translation>Gruppe</translation>
    </message>
    <message>
        <source>machine</source>
        <translation>Maschine</translation>
    </message>
    <message>
        <source>Set how a machine or group is powered: wol://, ipmi://, redfish://, ssh://, qmp://.</source>
        <translation>Festlegen, wie eine Maschine oder Gruppe ein- und ausgeschaltet wird: wol://, ipmi://, redfish://, ssh://, qmp://.</translation>
    </message>
    <message>
        <source>Switch a machine on or off, power-cycle it, wake it, or show its power state.</source>
        <translation>Eine Maschine ein- oder ausschalten, aus- und wieder einschalten, aufwecken oder ihren Stromzustand anzeigen.</translation>
    </message>
    <message>
        <source>--password-file: cannot read %1: %2</source>
        <translation>--password-file: %1 kann nicht gelesen werden: %2</translation>
    </message>
    <message>
        <source>%1 password for %2@%3: </source>
        <translation>%1-Passwort für %2@%3: </translation>
    </message>
    <message>
        <source>%1 needs the BMC&apos;s password: set it in the environment variable %2, name a file holding it with --password-file FILE, or run on a terminal to be asked</source>
        <translation>%1 braucht das Passwort des BMC: setzen Sie es in der Umgebungsvariablen %2, nennen Sie eine Datei damit mit --password-file DATEI, oder starten Sie an einem Terminal, um danach gefragt zu werden</translation>
    </message>
    <message>
        <source>Read the BMC password (IPMI, Redfish) from FILE; else from DROVER_BMC_PASSWORD, else asked.</source>
        <translation>Das BMC-Passwort (IPMI, Redfish) aus DATEI lesen; sonst aus DROVER_BMC_PASSWORD, sonst wird gefragt.</translation>
    </message>
    <message>
        <source>a password may not be part of the URL: every user of this computer can read a command line. Give the URL without it (%1) and the password in the environment variable %2, in a file (--password-file FILE), or type it when asked</source>
        <translation>ein Passwort darf nicht Teil der URL sein: jeder Benutzer dieses Computers kann eine Befehlszeile lesen. Geben Sie die URL ohne es an (%1) und das Passwort in der Umgebungsvariablen %2, in einer Datei (--password-file DATEI) oder tippen Sie es ein, wenn danach gefragt wird</translation>
    </message>
</context>
<context>
    <name>PrivilegedBuild</name>
    <message>
        <source>the build helper (pid %1) did not stop within 30 s of being asked</source>
        <translation>der Bauhelfer (PID %1) hat nicht innerhalb von 30 s nach der Aufforderung angehalten</translation>
    </message>
    <message>
        <source>building as a user other than root needs pkexec and polkitd (Debian packages pkexec and polkitd), or run drover build as root</source>
        <translation>Bauen als anderer Benutzer als root braucht pkexec und polkitd (Debian-Pakete pkexec und polkitd), oder drover build als root ausführen</translation>
    </message>
    <message>
        <source>the build helper %1 is missing: reinstall drover</source>
        <translation>der Bauhelfer %1 fehlt: drover neu installieren</translation>
    </message>
    <message>
        <source>cannot start %1: %2</source>
        <translation>%1 lässt sich nicht starten: %2</translation>
    </message>
    <message>
        <source>building through the build helper %1 (pkexec asks for authorisation)</source>
        <translation>Bauen über den Bauhelfer %1 (pkexec fragt nach der Berechtigung)</translation>
    </message>
    <message>
        <source>cancelled</source>
        <translation>abgebrochen</translation>
    </message>
    <message>
        <source>the build helper handed over no image</source>
        <translation>der Bauhelfer hat kein Abbild übergeben</translation>
    </message>
    <message>
        <source>importing %1 from the build helper</source>
        <translation>%1 wird vom Bauhelfer importiert</translation>
    </message>
    <message>
        <source>importing the helper&apos;s image: %1</source>
        <translation>Import des Abbilds vom Helfer: %1</translation>
    </message>
    <message>
        <source>the bundle holds no image</source>
        <translation>das Bundle enthält kein Abbild</translation>
    </message>
    <message>
        <source>the administrator&apos;s authorisation was dismissed: nothing was built</source>
        <translation>die Berechtigung durch einen Administrator wurde abgelehnt: nichts wurde gebaut</translation>
    </message>
    <message>
        <source>not authorised to build images (polkit action org.drover.build): an administrator can allow it, or build as root</source>
        <translation>nicht berechtigt, Abbilder zu bauen (polkit-Aktion org.drover.build): ein Administrator kann es erlauben, oder als root bauen</translation>
    </message>
    <message>
        <source>the build helper stopped (exit code %1) without a result</source>
        <translation>der Bauhelfer hat ohne Ergebnis beendet (Exit-Code %1)</translation>
    </message>
    <message>
        <source>the build helper crashed: %1</source>
        <translation>der Bauhelfer ist abgestürzt: %1</translation>
    </message>
</context>
<context>
    <name>Recipe</name>
    <message>
        <source>the string &quot;%1&quot;</source>
        <translation>die Zeichenkette &quot;%1&quot;</translation>
    </message>
    <message>
        <source>the number %1</source>
        <translation>die Zahl %1</translation>
    </message>
    <message>
        <source>an array</source>
        <translation>ein Array</translation>
    </message>
    <message>
        <source>an object</source>
        <translation>ein Objekt</translation>
    </message>
    <message>
        <source>expected %1, found %2</source>
        <translation>erwartet: %1, gefunden: %2</translation>
    </message>
    <message>
        <source>given twice</source>
        <translation>doppelt angegeben</translation>
    </message>
    <message>
        <source>unknown field; expected one of: %1</source>
        <translation>unbekanntes Feld; erwartet wird eines von: %1</translation>
    </message>
    <message>
        <source>missing the field &quot;%1&quot;</source>
        <translation>das Feld &quot;%1&quot; fehlt</translation>
    </message>
    <message>
        <source>a string</source>
        <translation>eine Zeichenkette</translation>
    </message>
    <message>
        <source>true or false</source>
        <translation>true oder false</translation>
    </message>
    <message>
        <source>an array of strings</source>
        <translation>ein Array von Zeichenketten</translation>
    </message>
    <message>
        <source>&quot;%1&quot; is listed twice</source>
        <translation>&quot;%1&quot; ist doppelt aufgeführt</translation>
    </message>
    <message>
        <source>&quot;%1&quot; is not a Debian package name</source>
        <translation>&quot;%1&quot; ist kein Debian-Paketname</translation>
    </message>
    <message>
        <source>&quot;%1&quot; is not a systemd unit name</source>
        <translation>&quot;%1&quot; ist kein systemd-Unit-Name</translation>
    </message>
    <message>
        <source>&quot;%1&quot; is not a group name</source>
        <translation>&quot;%1&quot; ist kein Gruppenname</translation>
    </message>
    <message>
        <source>&quot;%1&quot; is not a Debian suite name</source>
        <translation>&quot;%1&quot; ist kein Debian-Suite-Name</translation>
    </message>
    <message>
        <source>&quot;%1&quot; is not an archive component</source>
        <translation>&quot;%1&quot; ist keine Archivkomponente</translation>
    </message>
    <message>
        <source>needs at least one component, e.g. &quot;main&quot;</source>
        <translation>benötigt mindestens eine Komponente, z. B. &quot;main&quot;</translation>
    </message>
    <message>
        <source>expected an http://, https:// or file:// URL</source>
        <translation>erwartet: eine http://-, https://- oder file://-URL</translation>
    </message>
    <message>
        <source>expected a directory beside the recipe, like &quot;files&quot;</source>
        <translation>erwartet: ein Verzeichnis neben dem Rezept, etwa &quot;files&quot;</translation>
    </message>
    <message>
        <source>no directory &quot;%1&quot; beside the recipe</source>
        <translation>kein Verzeichnis &quot;%1&quot; neben dem Rezept</translation>
    </message>
    <message>
        <source>expected USER:GROUP, like &quot;root:root&quot;</source>
        <translation>erwartet: USER:GROUP, etwa &quot;root:root&quot;</translation>
    </message>
    <message>
        <source>expected a path inside the files directory</source>
        <translation>erwartet: ein Pfad innerhalb des Dateiverzeichnisses</translation>
    </message>
    <message>
        <source>no &quot;%1&quot; in the files directory</source>
        <translation>kein &quot;%1&quot; im Dateiverzeichnis</translation>
    </message>
    <message>
        <source>an octal mode string like &quot;0644&quot;</source>
        <translation>eine oktale Modus-Zeichenkette wie &quot;0644&quot;</translation>
    </message>
    <message>
        <source>an array of users</source>
        <translation>ein Array von Benutzern</translation>
    </message>
    <message>
        <source>&quot;%1&quot; is not a user name</source>
        <translation>&quot;%1&quot; ist kein Benutzername</translation>
    </message>
    <message>
        <source>the user &quot;%1&quot; is listed twice</source>
        <translation>der Benutzer &quot;%1&quot; ist doppelt aufgeführt</translation>
    </message>
    <message>
        <source>0 for root</source>
        <translation>0 für root</translation>
    </message>
    <message>
        <source>an integer from 1 to 65533</source>
        <translation>eine ganze Zahl von 1 bis 65533</translation>
    </message>
    <message>
        <source>the uid %1 is given to two users</source>
        <translation>die UID %1 ist zwei Benutzern zugeordnet</translation>
    </message>
    <message>
        <source>expected an absolute path like /bin/bash</source>
        <translation>erwartet: ein absoluter Pfad wie /bin/bash</translation>
    </message>
    <message>
        <source>expected a crypt(3) hash (mkpasswd output, &quot;$y$…&quot;), &quot;!&quot; or &quot;*&quot;; never a clear-text password</source>
        <translation>erwartet: ein crypt(3)-Hash (Ausgabe von mkpasswd, &quot;$y$…&quot;), &quot;!&quot; oder &quot;*&quot;; niemals ein Klartextpasswort</translation>
    </message>
    <message>
        <source>not an OpenSSH public key line (&quot;ssh-ed25519 AAAA… comment&quot;)</source>
        <translation>keine Zeile mit einem öffentlichen OpenSSH-Schlüssel (&quot;ssh-ed25519 AAAA… Kommentar&quot;)</translation>
    </message>
    <message>
        <source>&quot;%1&quot; is both enabled and disabled</source>
        <translation>&quot;%1&quot; ist sowohl aktiviert als auch deaktiviert</translation>
    </message>
    <message>
        <source>&quot;%1&quot; is not a locale name like &quot;de&quot; or &quot;pt_BR&quot;</source>
        <translation>&quot;%1&quot; ist kein Locale-Name wie &quot;de&quot; oder &quot;pt_BR&quot;</translation>
    </message>
    <message>
        <source>unknown module class &quot;%1&quot;; known: %2</source>
        <translation>unbekannte Modulklasse &quot;%1&quot;; bekannt: %2</translation>
    </message>
    <message>
        <source>&quot;%1&quot; is not an image name: letters, digits, &apos;.&apos;, &apos;_&apos; and &apos;-&apos;, starting with a letter or digit</source>
        <translation>&quot;%1&quot; ist kein Image-Name: Buchstaben, Ziffern, &apos;.&apos;, &apos;_&apos; und &apos;-&apos;, beginnend mit einem Buchstaben oder einer Ziffer</translation>
    </message>
    <message>
        <source>&quot;%1&quot; is not a version: letters, digits, &apos;.&apos;, &apos;_&apos; and &apos;-&apos;</source>
        <translation>&quot;%1&quot; ist keine Version: Buchstaben, Ziffern, &apos;.&apos;, &apos;_&apos; und &apos;-&apos;</translation>
    </message>
    <message>
        <source>&quot;%1&quot; is not supported yet; use &quot;amd64&quot;</source>
        <translation>&quot;%1&quot; wird noch nicht unterstützt; verwenden Sie &quot;amd64&quot;</translation>
    </message>
    <message>
        <source>&quot;%1&quot; is both in packages and in exclude</source>
        <translation>&quot;%1&quot; steht sowohl in packages als auch in exclude</translation>
    </message>
    <message>
        <source>expected a path beside the recipe, like &quot;scripts/10-setup.sh&quot;</source>
        <translation>erwartet: ein Pfad neben dem Rezept, etwa &quot;scripts/10-setup.sh&quot;</translation>
    </message>
    <message>
        <source>no file &quot;%1&quot; beside the recipe</source>
        <translation>keine Datei &quot;%1&quot; neben dem Rezept</translation>
    </message>
    <message>
        <source>must be one line without control characters</source>
        <translation>muss eine Zeile ohne Steuerzeichen sein</translation>
    </message>
    <message>
        <source>expected &quot;layers&quot; or &quot;initramfs&quot;</source>
        <translation>erwartet: &quot;layers&quot; oder &quot;initramfs&quot;</translation>
    </message>
    <message>
        <source>expected &quot;squashfs&quot; or &quot;erofs&quot;</source>
        <translation>erwartet: &quot;squashfs&quot; oder &quot;erofs&quot;</translation>
    </message>
    <message>
        <source>seconds since 1970 as an integer</source>
        <translation>Sekunden seit 1970 als ganze Zahl</translation>
    </message>
    <message>
        <source>not valid JSON: %1</source>
        <translation>kein gültiges JSON: %1</translation>
    </message>
    <message>
        <source>a recipe is a JSON object ({ … })</source>
        <translation>ein Rezept ist ein JSON-Objekt ({ … })</translation>
    </message>
    <message>
        <source>cannot read the recipe %1: %2</source>
        <translation>das Rezept %1 kann nicht gelesen werden: %2</translation>
    </message>
    <message>
        <source>%1 is larger than 4 MiB; is it a recipe?</source>
        <translation>%1 ist größer als 4 MiB; ist das ein Rezept?</translation>
    </message>
    <message>
        <source>expected &quot;debian&quot; or &quot;busybox&quot;, found &quot;%1&quot;</source>
        <translation>erwartet „debian“ oder „busybox“, gefunden „%1“</translation>
    </message>
    <message>
        <source>a busybox base has no systemd: its services are what /etc/inittab starts</source>
        <translation>eine busybox-Basis hat kein systemd: ihre Dienste sind, was /etc/inittab startet</translation>
    </message>
    <message>
        <source>expected an absolute path or one beside the recipe</source>
        <translation>erwartet einen absoluten Pfad oder einen neben dem Rezept</translation>
    </message>
    <message>
        <source>no file &quot;%1&quot;</source>
        <translation>keine Datei „%1“</translation>
    </message>
    <message>
        <source>expected one of &quot;rootfs&quot; (an archive) and &quot;oci&quot; (a container image)</source>
        <translation>erwartet eines von „rootfs“ (ein Archiv) und „oci“ (ein Container-Image)</translation>
    </message>
    <message>
        <source>expected the path of an archive</source>
        <translation>erwartet den Pfad eines Archivs</translation>
    </message>
    <message>
        <source>an imported root (from) gets no packages: install them in the root before archiving it</source>
        <translation>ein importiertes System (from) bekommt keine Pakete: installieren Sie sie vor dem Archivieren</translation>
    </message>
    <message>
        <source>an imported root (from) has no Debian base</source>
        <translation>ein importiertes System (from) hat keine Debian-Basis</translation>
    </message>
    <message>
        <source>expected an apt source line like &quot;deb URL SUITE COMPONENT&quot;, found &quot;%1&quot;</source>
        <translation>erwartet eine apt-Quellzeile wie „deb URL SUITE KOMPONENTE“, gefunden „%1“</translation>
    </message>
    <message>
        <source>no directory &quot;%1&quot;</source>
        <translation>kein Verzeichnis „%1“</translation>
    </message>
    <message>
        <source>&quot;%1&quot; is not a package name, or NAME=VERSION</source>
        <translation>„%1“ ist kein Paketname und nicht NAME=VERSION</translation>
    </message>
    <message>
        <source>&quot;%1&quot; is not an image NAME:VERSION</source>
        <translation>„%1“ ist kein Abbild NAME:VERSION</translation>
    </message>
    <message>
        <source>either kernelPackage or kernelImage, not both</source>
        <translation>entweder kernelPackage oder kernelImage, nicht beides</translation>
    </message>
    <message>
        <source>one of kernelPackage, kernelImage and kernelDir, not two</source>
        <translation>eines von kernelPackage, kernelImage und kernelDir, nicht zwei</translation>
    </message>
    <message>
        <source>erofs layers are compressed with &quot;lz4hc&quot; only; found &quot;%1&quot;</source>
        <translation>EROFS-Schichten werden nur mit „lz4hc“ komprimiert, gefunden „%1“</translation>
    </message>
    <message>
        <source>expected &quot;zstd&quot;, &quot;zstd:LEVEL&quot; or &quot;zstd:LEVEL:BLOCK&quot; (level 1 to 22), or &quot;xz&quot;, &quot;xz:BLOCK&quot;, &quot;xz-x86&quot; or &quot;xz-x86:BLOCK&quot; (block 128K, 256K, 512K or 1M); found &quot;%1&quot;</source>
        <translation>erwartet „zstd“, „zstd:STUFE“ oder „zstd:STUFE:BLOCK“ (Stufe 1 bis 22), oder „xz“, „xz:BLOCK“, „xz-x86“ oder „xz-x86:BLOCK“ (Block 128K, 256K, 512K oder 1M), gefunden „%1“</translation>
    </message>
</context>
<context>
    <name>RecipeDraft</name>
    <message>
        <source>cannot read %1: %2</source>
        <translation>%1 kann nicht gelesen werden: %2</translation>
    </message>
    <message>
        <source>%1 is larger than 4 MiB; is it a recipe?</source>
        <translation>%1 ist größer als 4 MiB; ist das ein Rezept?</translation>
    </message>
    <message>
        <source>cannot create the directory %1</source>
        <translation>das Verzeichnis %1 kann nicht erstellt werden</translation>
    </message>
    <message>
        <source>cannot write %1: %2</source>
        <translation>%1 kann nicht geschrieben werden: %2</translation>
    </message>
    <message>
        <source>&quot;%1&quot; is not a path inside the image like &quot;etc/motd&quot;</source>
        <translation>&quot;%1&quot; ist kein Pfad innerhalb des Images wie &quot;etc/motd&quot;</translation>
    </message>
    <message>
        <source>two files go to /%1</source>
        <translation>zwei Dateien haben dasselbe Ziel /%1</translation>
    </message>
    <message>
        <source>&quot;%1&quot; is not a script file name like &quot;10-setup.sh&quot;</source>
        <translation>&quot;%1&quot; ist kein Skriptdateiname wie &quot;10-setup.sh&quot;</translation>
    </message>
    <message>
        <source>two scripts are called &quot;%1&quot;</source>
        <translation>zwei Skripte heißen &quot;%1&quot;</translation>
    </message>
    <message>
        <source>cannot read %1 (for /%2): %3</source>
        <translation>%1 (für /%2) kann nicht gelesen werden: %3</translation>
    </message>
    <message>
        <source>cannot rename %1 to %2</source>
        <translation>%1 kann nicht in %2 umbenannt werden</translation>
    </message>
    <message>
        <source>Debian server: systemd, networkd, OpenSSH, a user &quot;lab&quot; (the reference recipe)</source>
        <translation>Debian-Server: systemd, networkd, OpenSSH, ein Benutzer &quot;lab&quot; (das Referenzrezept)</translation>
    </message>
    <message>
        <source>Minimal: a kernel, systemd and the network; nothing else</source>
        <translation>Minimal: ein Kernel, systemd und das Netzwerk; sonst nichts</translation>
    </message>
    <message>
        <source>template %1</source>
        <translation>Vorlage %1</translation>
    </message>
    <message>
        <source>Burn-in: tests CPU, memory, disks, SMART and NIC speed at every boot (stress-ng)</source>
        <translation>Burn-in: prüft bei jedem Start CPU, Speicher, Platten, SMART und Netzwerkgeschwindigkeit (stress-ng)</translation>
    </message>
    <message>
        <source>Inventory: a busybox root of tens of MB that reports the hardware, for new machines</source>
        <translation>Inventar: ein busybox-System von einigen zehn MB, das die Hardware meldet, für neue Rechner</translation>
    </message>
    <message>
        <source>There is no file or folder %1.</source>
        <translation>Es gibt keine Datei und keinen Ordner %1.</translation>
    </message>
    <message>
        <source>%1 is a folder; a root filesystem archive is a file (.tar, .tar.gz, .tar.xz, .tar.zst).</source>
        <translation>%1 ist ein Ordner; ein Archiv eines Wurzeldateisystems ist eine Datei (.tar, .tar.gz, .tar.xz, .tar.zst).</translation>
    </message>
</context>
<context>
    <name>ReportLines</name>
    <message>
        <source>the report is larger than %1 bytes</source>
        <translation>der Bericht ist größer als %1 Bytes</translation>
    </message>
    <message>
        <source>line %1: %2</source>
        <translation>Zeile %1: %2</translation>
    </message>
    <message>
        <source>not KEY&lt;tab&gt;VALUE</source>
        <translation>nicht SCHLÜSSEL&lt;Tab&gt;WERT</translation>
    </message>
    <message>
        <source>the key is not letters, digits, &apos;.&apos;, &apos;_&apos; and &apos;-&apos;</source>
        <translation>der Schlüssel besteht nicht aus Buchstaben, Ziffern, „.“, „_“ und „-“</translation>
    </message>
    <message>
        <source>the key is longer than 64 characters</source>
        <translation>der Schlüssel ist länger als 64 Zeichen</translation>
    </message>
    <message>
        <source>the value of %1 is longer than %2 characters</source>
        <translation>der Wert von %1 ist länger als %2 Zeichen</translation>
    </message>
    <message>
        <source>the value of %1 has a control character</source>
        <translation>der Wert von %1 enthält ein Steuerzeichen</translation>
    </message>
</context>
<context>
    <name>Rollout</name>
    <message>
        <source>%1: &apos;%2&apos; is not a number of machines (3) or a percentage of the group (25%)</source>
        <translation>%1: &apos;%2&apos; ist weder eine Anzahl von Maschinen (3) noch ein Prozentsatz der Gruppe (25%)</translation>
    </message>
    <message>
        <source>%1: &apos;%2&apos; is not a duration such as 90s, 5m or 1h</source>
        <translation>%1: &apos;%2&apos; ist keine Dauer wie 90s, 5m oder 1h</translation>
    </message>
    <message>
        <source>the stored rollout of group &apos;%1&apos; is damaged</source>
        <translation>der gespeicherte Rollout der Gruppe &apos;%1&apos; ist beschädigt</translation>
    </message>
    <message>
        <source>group &apos;%1&apos; has no rollout</source>
        <translation>Gruppe &apos;%1&apos; hat keinen Rollout</translation>
    </message>
    <message>
        <source>there is no image %1 in the catalog</source>
        <translation>es gibt kein Image %1 im Katalog</translation>
    </message>
    <message>
        <source>group %1 has a rollout of %2 %3 already; abort it first</source>
        <translation>Gruppe %1 hat bereits einen Rollout von %2 %3; brechen Sie ihn zuerst ab</translation>
    </message>
    <message>
        <source>group %1 has no machines</source>
        <translation>Gruppe %1 hat keine Maschinen</translation>
    </message>
    <message numerus="yes">
        <source>rollout of %1 to %2 planned: %n canary machine(s) first</source>
        <translation>
            <numerusform>Rollout von %1 auf %2 geplant: zuerst %n Canary-Maschine</numerusform>
            <numerusform>Rollout von %1 auf %2 geplant: zuerst %n Canary-Maschinen</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n machine(s) of group %1 failed their burn-in: %2; clear the failure (drover tests clear MACHINE, or Clear Failure in the Tests tab) or take them out of the group first</source>
        <translation>
            <numerusform>%n Maschine der Gruppe %1 hat den Burn-in nicht bestanden: %2; heben Sie den Fehler auf (drover tests clear MASCHINE oder „Fehler aufheben“ im Reiter Tests) oder nehmen Sie sie zuerst aus der Gruppe</numerusform>
            <numerusform>%n Maschinen der Gruppe %1 haben den Burn-in nicht bestanden: %2; heben Sie den Fehler auf (drover tests clear MASCHINE oder „Fehler aufheben“ im Reiter Tests) oder nehmen Sie sie zuerst aus der Gruppe</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>RolloutEngine</name>
    <message>
        <source>the rollout of %1 to %2 is %3 already</source>
        <translation>der Rollout von %1 auf %2 ist bereits %3</translation>
    </message>
    <message>
        <source>cannot save the rollout: %1</source>
        <translation>der Rollout kann nicht gespeichert werden: %1</translation>
    </message>
    <message>
        <source>rollout of %1 to %2, wave %3 of %4</source>
        <translation>Rollout von %1 auf %2, Welle %3 von %4</translation>
    </message>
    <message>
        <source>%1 is no longer in the catalog</source>
        <translation>%1 ist nicht mehr im Katalog</translation>
    </message>
    <message>
        <source>%1 assigned to canary %2</source>
        <translation>%1 zugewiesen an Canary-Maschine %2</translation>
    </message>
    <message>
        <source>wave %1: %2 assigned to %3</source>
        <translation>Welle %1: %2 zugewiesen an %3</translation>
    </message>
    <message>
        <source>%1 is ready with %2; baking for %3 s</source>
        <translation>%1 ist mit %2 bereit; Bewährungszeit %3 s</translation>
    </message>
    <message>
        <source>%1 stayed up with %2 for the bake time</source>
        <translation>%1 lief mit %2 die gesamte Bewährungszeit über</translation>
    </message>
    <message>
        <source>%1 left ready during the bake time (now %2 %3)</source>
        <translation>%1 hat während der Bewährungszeit den Zustand „bereit“ verlassen (jetzt %2 %3)</translation>
    </message>
    <message>
        <source>%1 failed to boot %2 (phase %3)</source>
        <translation>%1 konnte %2 nicht booten (Phase %3)</translation>
    </message>
    <message>
        <source>%1 booted %2 instead of %3 (its last-known-good image, after failed boots)</source>
        <translation>%1 hat %2 statt %3 gebootet (das zuletzt funktionierende Image, nach fehlgeschlagenen Bootvorgängen)</translation>
    </message>
    <message numerus="yes">
        <source>rollout of %1 to %2 stopped: %n machine(s) failed</source>
        <translation>
            <numerusform>Rollout von %1 auf %2 gestoppt: %n Maschine fehlgeschlagen</numerusform>
            <numerusform>Rollout von %1 auf %2 gestoppt: %n Maschinen fehlgeschlagen</numerusform>
        </translation>
    </message>
    <message>
        <source>wave %1 of %2 starts</source>
        <translation>Welle %1 von %2 beginnt</translation>
    </message>
    <message>
        <source>rollout of %1 to %2 finished</source>
        <translation>Rollout von %1 auf %2 abgeschlossen</translation>
    </message>
    <message numerus="yes">
        <source>rollout of %1 to %2 done: %n machine(s)</source>
        <translation>
            <numerusform>Rollout von %1 auf %2 fertig: %n Maschine</numerusform>
            <numerusform>Rollout von %1 auf %2 fertig: %n Maschinen</numerusform>
        </translation>
    </message>
    <message>
        <source>%1 had no image before the rollout; it keeps %2</source>
        <translation>%1 hatte vor dem Rollout kein Image und behält %2</translation>
    </message>
    <message numerus="yes">
        <source>%1; %n machine(s) back on their previous image</source>
        <translation>
            <numerusform>%1; %n Maschine wieder auf ihrem vorherigen Image</numerusform>
            <numerusform>%1; %n Maschinen wieder auf ihrem vorherigen Image</numerusform>
        </translation>
    </message>
    <message>
        <source>paused</source>
        <translation>pausiert</translation>
    </message>
    <message>
        <source>resumed</source>
        <translation>fortgesetzt</translation>
    </message>
    <message>
        <source>rollout of %1 to %2 aborted by %3</source>
        <translation>Rollout von %1 auf %2 durch %3 abgebrochen</translation>
    </message>
    <message>
        <source>%1 passed its test in a VM (%2, ready after %3 s)</source>
        <translation>%1 hat den Test in einer VM bestanden (%2, bereit nach %3 s)</translation>
    </message>
    <message>
        <source>%1 failed its test in a VM (%2): %3; no machine was touched. After a fix, test it again: drover image test %1</source>
        <translation>%1 ist beim Test in einer VM durchgefallen (%2): %3; keine Maschine wurde angetastet. Nach einer Korrektur erneut testen: drover image test %1</translation>
    </message>
    <message>
        <source>this Drover cannot test images in a VM; no machine was touched</source>
        <translation>dieses Drover kann Images nicht in einer VM testen; keine Maschine wurde angetastet</translation>
    </message>
    <message>
        <source>testing %1 in a VM before any machine gets it</source>
        <translation>%1 wird in einer VM getestet, bevor eine Maschine es bekommt</translation>
    </message>
    <message>
        <source>%1 passed its test in a VM (ready after %2 s)</source>
        <translation>%1 hat den Test in einer VM bestanden (bereit nach %2 s)</translation>
    </message>
    <message>
        <source>%1 failed its test in a VM: %2; no machine was touched</source>
        <translation>%1 ist beim Test in einer VM durchgefallen: %2; keine Maschine wurde angetastet</translation>
    </message>
    <message>
        <source>the test of %1 in a VM gave no verdict: %2; no machine was touched</source>
        <translation>der Test von %1 in einer VM ergab kein Urteil: %2; keine Maschine wurde angetastet</translation>
    </message>
    <message>
        <source>%1 failed its burn-in; clear the failure before it gets an image by rollout</source>
        <translation>%1 hat den Burn-in nicht bestanden; heben Sie den Fehler auf, bevor sie ein Image per Rollout bekommt</translation>
    </message>
</context>
<context>
    <name>RolloutVerbs</name>
    <message>
        <source>rollout of %1 to group %2: %3, wave %4 of %5, %6 of %7 machines done, %8 failed (limit %9)</source>
        <translation>Rollout von %1 auf Gruppe %2: %3, Welle %4 von %5, %6 von %7 Maschinen fertig, %8 fehlgeschlagen (Limit %9)</translation>
    </message>
    <message>
        <source>baking</source>
        <translation>in Bewährung</translation>
    </message>
    <message>
        <source>assigned</source>
        <translation>zugewiesen</translation>
    </message>
    <message>
        <source>waiting</source>
        <translation>wartet</translation>
    </message>
    <message>
        <source>canary</source>
        <translation>Canary</translation>
    </message>
    <message>
        <source>MACHINE</source>
        <translation>MASCHINE</translation>
    </message>
    <message>
        <source>WAVE</source>
        <translation>WELLE</translation>
    </message>
    <message>
        <source>STATE</source>
        <translation>ZUSTAND</translation>
    </message>
    <message>
        <source>PREVIOUS</source>
        <translation>VORHER</translation>
    </message>
    <message>
        <source>WHY</source>
        <translation>GRUND</translation>
    </message>
    <message>
        <source>The group to roll out to.</source>
        <translation>Die Gruppe, auf die ausgerollt wird.</translation>
    </message>
    <message>
        <source>Machines first, alone: a count or a percentage (default 1).</source>
        <translation>Maschinen, die zuerst allein drankommen: eine Anzahl oder ein Prozentsatz (Standard: 1).</translation>
    </message>
    <message>
        <source>Machines per wave after the canaries (default: all the rest).</source>
        <translation>Maschinen pro Welle nach den Canary-Maschinen (Standard: alle übrigen).</translation>
    </message>
    <message>
        <source>How long each wave must stay ready (default 5m).</source>
        <translation>Wie lange jede Welle bereit bleiben muss (Standard: 5m).</translation>
    </message>
    <message>
        <source>More failed machines than this stop the rollout and revert it (default 0).</source>
        <translation>Mehr fehlgeschlagene Maschinen als diese Zahl stoppen den Rollout und machen ihn rückgängig (Standard: 0).</translation>
    </message>
    <message>
        <source>Power-cycle each machine when it gets the image.</source>
        <translation>Jede Maschine aus- und wieder einschalten, wenn sie das Image erhält.</translation>
    </message>
    <message>
        <source>drover: rollout start needs --group</source>
        <translation>drover: rollout start benötigt --group</translation>
    </message>
    <message>
        <source>--max-failures: &apos;%1&apos; is not a number</source>
        <translation>--max-failures: &apos;%1&apos; ist keine Zahl</translation>
    </message>
    <message>
        <source>no rollouts</source>
        <translation>keine Rollouts</translation>
    </message>
    <message>
        <source>Roll an image out to a group: canaries first, then waves, each baked before the next.</source>
        <translation>Ein Image auf eine Gruppe ausrollen: zuerst Canary-Maschinen, dann Wellen, jede mit Bewährungszeit vor der nächsten.</translation>
    </message>
    <message>
        <source>Show rollouts: waves, machines, failures.</source>
        <translation>Rollouts anzeigen: Wellen, Maschinen, Fehlschläge.</translation>
    </message>
    <message>
        <source>Pause a rollout: machines keep what they have.</source>
        <translation>Einen Rollout pausieren: Maschinen behalten, was sie haben.</translation>
    </message>
    <message>
        <source>Resume a paused rollout.</source>
        <translation>Einen pausierten Rollout fortsetzen.</translation>
    </message>
    <message>
        <source>Stop a rollout and give every machine it touched its previous image back.</source>
        <translation>Einen Rollout stoppen und jeder betroffenen Maschine ihr vorheriges Image zurückgeben.</translation>
    </message>
    <message>
        <source>test in a VM first: not yet run</source>
        <translation>zuerst Test in einer VM: noch nicht gelaufen</translation>
    </message>
    <message>
        <source>test in a VM first: %1</source>
        <translation>zuerst Test in einer VM: %1</translation>
    </message>
    <message>
        <source>No machine gets the image before it passes a test in a VM (the latest on record for this image, or one the boot server runs first).</source>
        <translation>Keine Maschine bekommt das Image, bevor es einen Test in einer VM bestanden hat (den zuletzt festgehaltenen für dieses Image oder einen, den der Boot-Server zuerst ausführt).</translation>
    </message>
    <message>
        <source> (UEFI)</source>
        <translation> (UEFI)</translation>
    </message>
    <message>
        <source>The test in a VM boots UEFI firmware (OVMF), as a lab of UEFI machines does; implies --require-test.</source>
        <translation>Der Test in einer VM bootet UEFI-Firmware (OVMF), wie ein Labor mit UEFI-Maschinen; schließt --require-test ein.</translation>
    </message>
</context>
<context>
    <name>SecretBox</name>
    <message>
        <source>secrets: cannot create the key file %1: %2</source>
        <translation>Geheimnisse: die Schlüsseldatei %1 kann nicht angelegt werden: %2</translation>
    </message>
    <message>
        <source>secrets: the key file %1 is readable by others and cannot be made private: %2</source>
        <translation>Geheimnisse: die Schlüsseldatei %1 ist für andere lesbar und kann nicht privat gemacht werden: %2</translation>
    </message>
    <message>
        <source>the key file %1 was readable by others (mode %2); now 0600</source>
        <translation>die Schlüsseldatei %1 war für andere lesbar (Modus %2); jetzt 0600</translation>
    </message>
    <message>
        <source>secrets: cannot read the key file %1: %2</source>
        <translation>Geheimnisse: die Schlüsseldatei %1 kann nicht gelesen werden: %2</translation>
    </message>
    <message>
        <source>secrets: not a sealed secret</source>
        <translation>Geheimnisse: kein versiegeltes Geheimnis</translation>
    </message>
    <message>
        <source>secrets: a sealed secret is too short</source>
        <translation>Geheimnisse: ein versiegeltes Geheimnis ist zu kurz</translation>
    </message>
    <message>
        <source>secrets: a sealed secret does not match the key file (another data directory&apos;s key, or changed)</source>
        <translation>Geheimnisse: ein versiegeltes Geheimnis passt nicht zur Schlüsseldatei (Schlüssel eines anderen Datenverzeichnisses, oder verändert)</translation>
    </message>
    <message>
        <source>secrets: cannot write the key file %1: %2</source>
        <translation>Geheimnisse: kann die Schlüsseldatei %1 nicht schreiben: %2</translation>
    </message>
    <message>
        <source>secrets: the key file %1 holds %2 bytes, not %3 — it is damaged; if no BMC password was saved yet, remove it and Drover makes a new one</source>
        <translation>Geheimnisse: die Schlüsseldatei %1 enthält %2 Bytes statt %3 — sie ist beschädigt; wurde noch kein BMC-Passwort gespeichert, löschen Sie sie, und Drover legt eine neue an</translation>
    </message>
</context>
<context>
    <name>SecureBoot</name>
    <message>
        <source>signed (Authenticode)</source>
        <translation>signiert (Authenticode)</translation>
    </message>
    <message>
        <source>not signed</source>
        <translation>nicht signiert</translation>
    </message>
    <message>
        <source>not an EFI image</source>
        <translation>kein EFI-Abbild</translation>
    </message>
    <message>
        <source>%1: %2</source>
        <translation>%1: %2</translation>
    </message>
    <message>
        <source>group %1</source>
        <translation>Gruppe %1</translation>
    </message>
    <message>
        <source>cannot check the kernel of %1 for a Secure Boot signature: %2</source>
        <translation>kann den Kernel von %1 nicht auf eine Secure-Boot-Signatur prüfen: %2</translation>
    </message>
    <message numerus="yes">
        <source> and %n more</source>
        <translation>
            <numerusform> und %n weiterer</numerusform>
            <numerusform> und %n weitere</numerusform>
        </translation>
    </message>
    <message>
        <source>the kernel of %1 is %2, and Secure Boot is on for %3: the firmware would refuse to start it. Build the image with Debian&apos;s signed kernel (linux-image-amd64), or set secure boot to off or auto for these machines (drover secure-boot).</source>
        <translation>der Kernel von %1 ist %2, und Secure Boot ist an für %3: die Firmware würde ihn nicht starten. Das Abbild mit Debians signiertem Kernel (linux-image-amd64) bauen oder Secure Boot für diese Rechner auf off oder auto setzen (drover secure-boot).</translation>
    </message>
    <message>
        <source>memtest86+ is not signed, and Secure Boot is on for %1: the firmware would refuse to start it. Set secure boot to off for these machines (drover secure-boot), and turn Secure Boot off in their firmware while they run it.</source>
        <translation>memtest86+ ist nicht signiert, und Secure Boot ist für %1 an: die Firmware würde den Start verweigern. Stellen Sie Secure Boot für diese Maschinen auf off (drover secure-boot) und schalten Sie Secure Boot in ihrer Firmware aus, solange sie es ausführen.</translation>
    </message>
</context>
<context>
    <name>Sha256</name>
    <message>
        <source>cannot read %1: %2</source>
        <translation>%1 ist nicht lesbar: %2</translation>
    </message>
</context>
<context>
    <name>StoreGc</name>
    <message>
        <source>not collecting: %1</source>
        <translation>keine Bereinigung: %1</translation>
    </message>
    <message>
        <source>not collecting: the manifest %1 of %2 is missing; run drover image verify</source>
        <translation>keine Bereinigung: das Manifest %1 von %2 fehlt; führen Sie drover image verify aus</translation>
    </message>
    <message>
        <source>%1: manifest %2 is not in this store</source>
        <translation>%1: Manifest %2 ist nicht in diesem Speicher</translation>
    </message>
    <message>
        <source>not collecting: %1: %2</source>
        <translation>keine Bereinigung: %1: %2</translation>
    </message>
    <message>
        <source>a catalog image</source>
        <translation>ein Katalog-Image</translation>
    </message>
    <message>
        <source>cannot delete %1</source>
        <translation>%1 kann nicht gelöscht werden</translation>
    </message>
</context>
<context>
    <name>StoreVerify</name>
    <message>
        <source>no image %1 in the store</source>
        <translation>kein Image %1 im Speicher</translation>
    </message>
    <message>
        <source>manifest %1 cannot be read: %2</source>
        <translation>Manifest %1 kann nicht gelesen werden: %2</translation>
    </message>
</context>
<context>
    <name>TestReport</name>
    <message>
        <source>is not a test name (letters, digits, &apos;.&apos;, &apos;_&apos; and &apos;-&apos;, at most %1)</source>
        <translation>ist kein Testname (Buchstaben, Ziffern, „.“, „_“ und „-“, höchstens %1)</translation>
    </message>
    <message>
        <source>is not pass or fail</source>
        <translation>ist weder pass noch fail</translation>
    </message>
    <message>
        <source>is not a duration in milliseconds</source>
        <translation>ist keine Dauer in Millisekunden</translation>
    </message>
    <message>
        <source>is not NAME=NUMBER</source>
        <translation>ist nicht NAME=ZAHL</translation>
    </message>
    <message>
        <source>is one metric more than %1</source>
        <translation>ist eine Messgröße mehr als %1</translation>
    </message>
    <message>
        <source>suite is not a name</source>
        <translation>suite ist kein Name</translation>
    </message>
    <message>
        <source>%1 does not name a test 0 to %2</source>
        <translation>%1 nennt keinen Test 0 bis %2</translation>
    </message>
    <message>
        <source>%1 %2</source>
        <translation>%1 %2</translation>
    </message>
    <message>
        <source>test %1 has no name</source>
        <translation>Test %1 hat keinen Namen</translation>
    </message>
    <message>
        <source>test %1 has no result</source>
        <translation>Test %1 hat kein Ergebnis</translation>
    </message>
    <message>
        <source>the report names no test</source>
        <translation>der Bericht nennt keinen Test</translation>
    </message>
    <message>
        <source>repeats the metric %1</source>
        <translation>wiederholt die Messgröße %1</translation>
    </message>
</context>
<context>
    <name>TestVerbs</name>
    <message>
        <source>Every run on record, newest first.</source>
        <translation>Jeder gespeicherte Lauf, der neueste zuerst.</translation>
    </message>
    <message>
        <source>no machine named &apos;%1&apos;</source>
        <translation>keine Maschine namens „%1“</translation>
    </message>
    <message>
        <source>%1 has not run any tests: boot it into an image with a test suite (examples/recipes/debian-burnin.json)</source>
        <translation>%1 hat noch keine Tests ausgeführt: booten Sie sie in ein Image mit Testsuite (examples/recipes/debian-burnin.json)</translation>
    </message>
    <message>
        <source>%1 %2 at %3 (boot %4)</source>
        <translation>%1 %2 am %3 (Boot %4)</translation>
    </message>
    <message>
        <source>tests</source>
        <translation>Tests</translation>
    </message>
    <message>
        <source>passed</source>
        <translation>bestanden</translation>
    </message>
    <message>
        <source>failed</source>
        <translation>fehlgeschlagen</translation>
    </message>
    <message>
        <source>pass</source>
        <translation>ok</translation>
    </message>
    <message>
        <source>FAIL</source>
        <translation>FEHL</translation>
    </message>
    <message>
        <source>%1 s</source>
        <translation>%1 s</translation>
    </message>
    <message>
        <source>%1 failed its burn-in %2: no rollout reaches it until drover tests clear %1.</source>
        <translation>%1 hat den Burn-in %2 nicht bestanden: kein Rollout erreicht sie bis drover tests clear %1.</translation>
    </message>
    <message>
        <source>Show what a machine&apos;s test suite (its burn-in) found, per test.</source>
        <translation>Zeigt, was die Testsuite (der Burn-in) einer Maschine gefunden hat, je Test.</translation>
    </message>
    <message>
        <source>Clear the burn-in failure that keeps rollouts away from machines.</source>
        <translation>Hebt den Burn-in-Fehler auf, der Rollouts von Maschinen fernhält.</translation>
    </message>
</context>
<context>
    <name>Text</name>
    <message>
        <source>DHCP: a packet of %1 bytes is shorter than the %2-byte minimum</source>
        <translation>DHCP: Ein Paket mit %1 Bytes ist kürzer als das Minimum von %2 Bytes</translation>
    </message>
    <message>
        <source>DHCP: unknown op %1</source>
        <translation>DHCP: unbekannter op-Wert %1</translation>
    </message>
    <message>
        <source>DHCP: hardware address length %1 exceeds 16</source>
        <translation>DHCP: Hardware-Adresslänge %1 überschreitet 16</translation>
    </message>
    <message>
        <source>DHCP: no DHCP magic cookie (a plain BOOTP packet?)</source>
        <translation>DHCP: kein DHCP-Magic-Cookie (ein reines BOOTP-Paket?)</translation>
    </message>
</context>
<context>
    <name>TftpPacket</name>
    <message>
        <source>TFTP: a request of %1 bytes is too short</source>
        <translation>TFTP: Eine Anfrage mit %1 Bytes ist zu kurz</translation>
    </message>
    <message>
        <source>TFTP: a request of %1 bytes exceeds %2 bytes</source>
        <translation>TFTP: Eine Anfrage mit %1 Bytes überschreitet %2 Bytes</translation>
    </message>
    <message>
        <source>TFTP: opcode %1 is not a request</source>
        <translation>TFTP: Opcode %1 ist keine Anfrage</translation>
    </message>
    <message>
        <source>TFTP: the request does not end with a NUL byte</source>
        <translation>TFTP: Die Anfrage endet nicht mit einem NUL-Byte</translation>
    </message>
    <message>
        <source>TFTP: the request has %1 fields; a name, a mode and option pairs expected</source>
        <translation>TFTP: Die Anfrage hat %1 Felder; erwartet werden ein Name, ein Modus und Optionspaare</translation>
    </message>
    <message>
        <source>TFTP: the request names no file</source>
        <translation>TFTP: Die Anfrage nennt keine Datei</translation>
    </message>
    <message>
        <source>TFTP: unknown transfer mode</source>
        <translation>TFTP: unbekannter Übertragungsmodus</translation>
    </message>
    <message>
        <source>TFTP: an option without a name</source>
        <translation>TFTP: eine Option ohne Namen</translation>
    </message>
</context>
<context>
    <name>UdpBind</name>
    <message>
        <source>Run Drover as root, or grant the capabilities once with `sudo setcap cap_net_bind_service,cap_net_raw+ep %1`.</source>
        <translation>Führen Sie Drover als root aus oder gewähren Sie die Capabilities einmalig mit `sudo setcap cap_net_bind_service,cap_net_raw+ep %1`.</translation>
    </message>
    <message>
        <source>%1: cannot listen on UDP port %2</source>
        <translation>%1: auf UDP-Port %2 kann nicht gelauscht werden</translation>
    </message>
    <message>
        <source>%1: cannot listen on UDP port %2 of interface %3</source>
        <translation>%1: auf UDP-Port %2 der Schnittstelle %3 kann nicht gelauscht werden</translation>
    </message>
    <message>
        <source>: permission denied. Ports below 1024 need root or the CAP_NET_BIND_SERVICE capability. </source>
        <translation>: Zugriff verweigert. Ports unter 1024 erfordern root oder die Capability CAP_NET_BIND_SERVICE. </translation>
    </message>
    <message>
        <source>: the port is in use by another program (another DHCP or TFTP server such as dnsmasq?). Find it with `ss -ulpn sport = :%1`, stop it, or choose another port.</source>
        <translation>: der Port wird von einem anderen Programm verwendet (ein anderer DHCP- oder TFTP-Server wie dnsmasq?). Finden Sie es mit `ss -ulpn sport = :%1`, beenden Sie es oder wählen Sie einen anderen Port.</translation>
    </message>
    <message>
        <source>: the address %1 is not one of this host&apos;s addresses.</source>
        <translation>: die Adresse %1 gehört nicht zu den Adressen dieses Hosts.</translation>
    </message>
    <message>
        <source>%1: there is no network interface named &apos;%2&apos;</source>
        <translation>%1: es gibt keine Netzwerkschnittstelle namens &apos;%2&apos;</translation>
    </message>
    <message>
        <source>%1: binding to interface %2 needs root or the CAP_NET_RAW capability. </source>
        <translation>%1: die Bindung an Schnittstelle %2 erfordert root oder die Capability CAP_NET_RAW. </translation>
    </message>
    <message>
        <source>%1: cannot use the UDP socket: %2</source>
        <translation>%1: der UDP-Socket kann nicht verwendet werden: %2</translation>
    </message>
</context>
<context>
    <name>VirtualLab</name>
    <message>
        <source>a virtual lab has 1 to 32 machines, not %1</source>
        <translation>ein virtuelles Labor hat 1 bis 32 Maschinen, nicht %1</translation>
    </message>
    <message>
        <source>memory: %1 MiB is not between 256 and 16384</source>
        <translation>Speicher: %1 MiB liegt nicht zwischen 256 und 16384</translation>
    </message>
    <message>
        <source>UEFI machines need OVMF (/usr/share/OVMF/OVMF_CODE_4M.fd): install the ovmf package</source>
        <translation>UEFI-Maschinen brauchen OVMF (/usr/share/OVMF/OVMF_CODE_4M.fd): installieren Sie das Paket ovmf</translation>
    </message>
    <message>
        <source>no free name for another virtual machine</source>
        <translation>kein freier Name für eine weitere virtuelle Maschine</translation>
    </message>
    <message>
        <source>virtual machine (qemu)</source>
        <translation>virtuelle Maschine (qemu)</translation>
    </message>
    <message>
        <source>&apos;%1&apos; is not a virtual machine of this lab</source>
        <translation>&apos;%1&apos; ist keine virtuelle Maschine dieses Labors</translation>
    </message>
    <message>
        <source>removed</source>
        <translation>entfernt</translation>
    </message>
    <message>
        <source>qemu exited with status %1: %2</source>
        <translation>qemu endete mit Status %1: %2</translation>
    </message>
    <message>
        <source>%1 stopped: %2</source>
        <translation>%1 angehalten: %2</translation>
    </message>
    <message>
        <source>%1 started (%2, %3 MiB)</source>
        <translation>%1 gestartet (%2, %3 MiB)</translation>
    </message>
    <message>
        <source>qemu-system-x86_64 is not installed</source>
        <translation>qemu-system-x86_64 ist nicht installiert</translation>
    </message>
    <message>
        <source>cannot start %1: %2</source>
        <translation>%1 kann nicht starten: %2</translation>
    </message>
    <message>
        <source>it is not in the catalog</source>
        <translation>die Maschine ist nicht im Katalog</translation>
    </message>
    <message>
        <source>UEFI machines need iPXE (%1): install the ipxe package</source>
        <translation>UEFI-Maschinen brauchen iPXE (%1): installieren Sie das Paket ipxe</translation>
    </message>
    <message>
        <source>cannot write %1: %2</source>
        <translation>%1 kann nicht geschrieben werden: %2</translation>
    </message>
    <message>
        <source>Secure Boot machines need %1 and %2: install shim-signed and grub-efi-amd64-signed</source>
        <translation>Secure-Boot-Rechner brauchen %1 und %2: shim-signed und grub-efi-amd64-signed installieren</translation>
    </message>
    <message>
        <source>cannot copy %1 to %2</source>
        <translation>kann %1 nicht nach %2 kopieren</translation>
    </message>
</context>
<context>
    <name>VmVerbs</name>
    <message>
        <source>How many (default 1).</source>
        <translation>Wie viele (Vorgabe 1).</translation>
    </message>
    <message>
        <source>Names are PREFIX-1, PREFIX-2, … (default vm).</source>
        <translation>Namen sind PREFIX-1, PREFIX-2, … (Vorgabe vm).</translation>
    </message>
    <message>
        <source>Put them in this group.</source>
        <translation>In diese Gruppe aufnehmen.</translation>
    </message>
    <message>
        <source>UEFI firmware (OVMF) instead of BIOS.</source>
        <translation>UEFI-Firmware (OVMF) statt BIOS.</translation>
    </message>
    <message>
        <source>Memory of each, in MiB (default 1536).</source>
        <translation>Speicher jeder Maschine in MiB (Vorgabe 1536).</translation>
    </message>
    <message>
        <source>drover: --count and --memory take numbers</source>
        <translation>drover: --count und --memory erwarten Zahlen</translation>
    </message>
    <message>
        <source>added %1; the running boot server (window or --headless) starts them</source>
        <translation>%1 hinzugefügt; der laufende Boot-Server (Fenster oder --headless) startet sie</translation>
    </message>
    <message>
        <source>NAME</source>
        <translation>NAME</translation>
    </message>
    <message>
        <source>FIRMWARE</source>
        <translation>FIRMWARE</translation>
    </message>
    <message>
        <source>MIB</source>
        <translation>MIB</translation>
    </message>
    <message>
        <source>GROUP</source>
        <translation>GRUPPE</translation>
    </message>
    <message>
        <source>STATE</source>
        <translation>ZUSTAND</translation>
    </message>
    <message>
        <source>CONSOLE</source>
        <translation>KONSOLE</translation>
    </message>
    <message>
        <source>%1 removed</source>
        <translation>%1 entfernt</translation>
    </message>
    <message>
        <source>Add virtual machines that netboot from this Drover (qemu, user network).</source>
        <translation>Virtuelle Maschinen hinzufügen, die von diesem Drover per Netz booten (qemu, Benutzernetz).</translation>
    </message>
    <message>
        <source>List the virtual machines.</source>
        <translation>Die virtuellen Maschinen auflisten.</translation>
    </message>
    <message>
        <source>Stop and remove virtual machines.</source>
        <translation>Virtuelle Maschinen anhalten und entfernen.</translation>
    </message>
</context>
<context>
    <name>drover::AddMachineDialog</name>
    <message>
        <source>Add Machine</source>
        <translation>Maschine hinzufügen</translation>
    </message>
    <message>
        <source>pc-01</source>
        <translation>pc-01</translation>
    </message>
    <message>
        <source>52:54:00:12:34:56</source>
        <translation>52:54:00:12:34:56</translation>
    </message>
    <message>
        <source>The MAC address of the network card the machine boots from</source>
        <translation>Die MAC-Adresse der Netzwerkkarte, von der die Maschine bootet</translation>
    </message>
    <message>
        <source>optional, e.g. room-a</source>
        <translation>optional, z. B. raum-a</translation>
    </message>
    <message>
        <source>Machines in a group can be assigned an image together</source>
        <translation>Den Maschinen einer Gruppe kann gemeinsam ein Image zugewiesen werden</translation>
    </message>
    <message>
        <source>&amp;Name:</source>
        <translation>&amp;Name:</translation>
    </message>
    <message>
        <source>&amp;MAC address:</source>
        <translation>&amp;MAC-Adresse:</translation>
    </message>
    <message>
        <source>&amp;Group:</source>
        <translation>&amp;Gruppe:</translation>
    </message>
    <message>
        <source>Give the machine a name.</source>
        <translation>Geben Sie der Maschine einen Namen.</translation>
    </message>
    <message>
        <source>Enter a MAC address such as 52:54:00:12:34:56.</source>
        <translation>Geben Sie eine MAC-Adresse wie 52:54:00:12:34:56 ein.</translation>
    </message>
</context>
<context>
    <name>drover::AddVmDialog</name>
    <message>
        <source>UEFI firmware (OVMF) instead of BIOS</source>
        <translation>UEFI-Firmware (OVMF) statt BIOS</translation>
    </message>
    <message>
        <source>Add Virtual Machines</source>
        <translation>Virtuelle Maschinen hinzufügen</translation>
    </message>
    <message>
        <source> MiB</source>
        <translation> MiB</translation>
    </message>
    <message>
        <source>The machines join this group: assign it an image, or roll one out to it</source>
        <translation>Die Maschinen kommen in diese Gruppe: weisen Sie ihr ein Image zu oder rollen Sie eines auf sie aus</translation>
    </message>
    <message>
        <source>qemu machines on this computer that netboot from Drover, with their own network. They run while the boot server runs.</source>
        <translation>qemu-Maschinen auf diesem Rechner, die mit eigenem Netz per Netzwerk von Drover booten. Sie laufen, solange der Boot-Server läuft.</translation>
    </message>
    <message>
        <source>&amp;How many:</source>
        <translation>&amp;Wie viele:</translation>
    </message>
    <message>
        <source>&amp;Group:</source>
        <translation>&amp;Gruppe:</translation>
    </message>
    <message>
        <source>&amp;Memory each:</source>
        <translation>&amp;Speicher je Maschine:</translation>
    </message>
    <message>
        <source>&amp;Add</source>
        <translation>&amp;Hinzufügen</translation>
    </message>
</context>
<context>
    <name>drover::BasePage</name>
    <message>
        <source>Base</source>
        <translation>Basis</translation>
    </message>
    <message>
        <source>What the image is called and which Debian it is built from.</source>
        <translation>Wie das Image heißt und aus welchem Debian es gebaut wird.</translation>
    </message>
    <message>
        <source>Letters, digits, &apos;.&apos;, &apos;_&apos; and &apos;-&apos;, starting with a letter or digit</source>
        <translation>Buchstaben, Ziffern, &apos;.&apos;, &apos;_&apos; und &apos;-&apos;, beginnend mit einem Buchstaben oder einer Ziffer</translation>
    </message>
    <message>
        <source>empty: the UTC time of the build</source>
        <translation>leer: die UTC-Zeit des Builds</translation>
    </message>
    <message>
        <source>With the name, the tag NAME:VERSION; a published tag never changes</source>
        <translation>Zusammen mit dem Namen der Tag NAME:VERSION; ein veröffentlichter Tag ändert sich nie</translation>
    </message>
    <message>
        <source>A line saying what the image is for</source>
        <translation>Eine Zeile, die beschreibt, wofür das Image gedacht ist</translation>
    </message>
    <message>
        <source>Debian suite or codename: trixie is Debian 13, bookworm Debian 12, sid unstable</source>
        <translation>Debian-Suite oder Codename: trixie ist Debian 13, bookworm Debian 12, sid unstable</translation>
    </message>
    <message>
        <source>Only amd64 for now</source>
        <translation>Vorerst nur amd64</translation>
    </message>
    <message>
        <source>Archive components, separated by spaces: main, contrib, non-free-firmware …</source>
        <translation>Archivkomponenten, durch Leerzeichen getrennt: main, contrib, non-free-firmware …</translation>
    </message>
    <message>
        <source>empty: the host&apos;s apt configuration</source>
        <translation>leer: die apt-Konfiguration des Hosts</translation>
    </message>
    <message>
        <source>An http://, https:// or file:// URL of a Debian mirror; empty uses the first Debian source the build host&apos;s apt knows</source>
        <translation>Eine http://-, https://- oder file://-URL eines Debian-Spiegelservers; leer verwendet die erste Debian-Quelle, die apt auf dem Build-Host kennt</translation>
    </message>
    <message>
        <source>Nam&amp;e:</source>
        <translation>&amp;Name:</translation>
    </message>
    <message>
        <source>&amp;Version:</source>
        <translation>&amp;Version:</translation>
    </message>
    <message>
        <source>&amp;Description:</source>
        <translation>&amp;Beschreibung:</translation>
    </message>
    <message>
        <source>Debian &amp;suite:</source>
        <translation>Debian-&amp;Suite:</translation>
    </message>
    <message>
        <source>&amp;Architecture:</source>
        <translation>&amp;Architektur:</translation>
    </message>
    <message>
        <source>&amp;Components:</source>
        <translation>&amp;Komponenten:</translation>
    </message>
    <message>
        <source>&amp;Mirror:</source>
        <translation>S&amp;piegelserver:</translation>
    </message>
</context>
<context>
    <name>drover::BootPage</name>
    <message>
        <source>Leave out &amp;documentation (/usr/share/doc, info pages)</source>
        <translation>&amp;Dokumentation weglassen (/usr/share/doc, Info-Seiten)</translation>
    </message>
    <message>
        <source>Leave out &amp;man pages</source>
        <translation>&amp;Manpages weglassen</translation>
    </message>
    <message>
        <source>Boot Options</source>
        <translation>Boot-Optionen</translation>
    </message>
    <message>
        <source>How machines receive the image, and what is left out of it.</source>
        <translation>Wie Maschinen das Image erhalten und was darin weggelassen wird.</translation>
    </message>
    <message>
        <source>Layers: base and top layer fetched by Drover&apos;s init (default)</source>
        <translation>Schichten: Basis- und obere Schicht, von Drovers Init geladen (Standard)</translation>
    </message>
    <message>
        <source>Initramfs: the whole root in the initramfs, for machines that cannot fetch layers</source>
        <translation>Initramfs: das gesamte Wurzelverzeichnis im Initramfs, für Maschinen, die keine Schichten laden können</translation>
    </message>
    <message>
        <source>Layers boot faster and share the base layer between versions</source>
        <translation>Schichten booten schneller und teilen sich die Basisschicht über Versionen hinweg</translation>
    </message>
    <message>
        <source>squashfs (zstd)</source>
        <translation>squashfs (zstd)</translation>
    </message>
    <message>
        <source>erofs (lz4hc)</source>
        <translation>erofs (lz4hc)</translation>
    </message>
    <message>
        <source>File system of the layers</source>
        <translation>Dateisystem der Schichten</translation>
    </message>
    <message>
        <source>Kernel command line; the boot server adds Drover&apos;s own arguments</source>
        <translation>Kernel-Befehlszeile; der Bootserver fügt Drovers eigene Parameter hinzu</translation>
    </message>
    <message>
        <source>Copyright files stay</source>
        <translation>Copyright-Dateien bleiben erhalten</translation>
    </message>
    <message>
        <source>none; * keeps all</source>
        <translation>keine; * behält alle</translation>
    </message>
    <message>
        <source>Translations to keep in /usr/share/locale, e.g. &quot;de pt_BR&quot;; * keeps all</source>
        <translation>Zu behaltende Übersetzungen in /usr/share/locale, z. B. &quot;de pt_BR&quot;; * behält alle</translation>
    </message>
    <message>
        <source>&amp;Format:</source>
        <translation>&amp;Format:</translation>
    </message>
    <message>
        <source>&amp;Layer type:</source>
        <translation>&amp;Schichttyp:</translation>
    </message>
    <message>
        <source>&amp;Kernel arguments:</source>
        <translation>&amp;Kernelparameter:</translation>
    </message>
    <message>
        <source>Locales to kee&amp;p:</source>
        <translation>Zu &amp;behaltende Locales:</translation>
    </message>
    <message>
        <source>Kernel module classes to keep</source>
        <translation>Zu behaltende Kernelmodul-Klassen</translation>
    </message>
    <message>
        <source>Modules outside these classes are deleted; what kept modules need stays</source>
        <translation>Module außerhalb dieser Klassen werden gelöscht; was behaltene Module benötigen, bleibt erhalten</translation>
    </message>
    <message>
        <source>Ordinary PCs and laptops:</source>
        <translation>Gewöhnliche PCs und Laptops:</translation>
    </message>
    <message>
        <source>Whole kinds of hardware:</source>
        <translation>Ganze Hardwarearten:</translation>
    </message>
    <message>
        <source>Default: zstd level 3 (fastest build)</source>
        <translation>Standard: zstd Stufe 3 (schnellster Bau)</translation>
    </message>
    <message>
        <source>Smaller: zstd level 19, 1 MiB blocks (slower build, the same boot time)</source>
        <translation>Kleiner: zstd Stufe 19, 1-MiB-Blöcke (langsamerer Bau, gleiche Bootzeit)</translation>
    </message>
    <message>
        <source>Smallest: xz with the x86 filter (slowest build, more CPU at boot)</source>
        <translation>Am kleinsten: xz mit dem x86-Filter (langsamster Bau, mehr CPU beim Booten)</translation>
    </message>
    <message>
        <source>Smaller layers mean fewer bytes for every machine at every boot, at the cost of build time; erofs layers are always lz4hc</source>
        <translation>Kleinere Schichten bedeuten weniger Bytes für jede Maschine bei jedem Boot, auf Kosten der Bauzeit; erofs-Schichten sind immer lz4hc</translation>
    </message>
    <message>
        <source>La&amp;yer compression:</source>
        <translation>Schicht&amp;kompression:</translation>
    </message>
    <message>
        <source>As the recipe says: %1</source>
        <translation>Wie im Rezept: %1</translation>
    </message>
</context>
<context>
    <name>drover::BootRecorder</name>
    <message>
        <source>%1: hardware changed: %2</source>
        <translation>%1: Hardware geändert: %2</translation>
    </message>
    <message>
        <source>tests</source>
        <translation>Tests</translation>
    </message>
    <message numerus="yes">
        <source>%1: %2 passed (%n test(s))</source>
        <translation>
            <numerusform>%1: %2 bestanden (%n Test)</numerusform>
            <numerusform>%1: %2 bestanden (%n Tests)</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%1: %2 failed: %3 of %n test(s) (%4); no rollout reaches it until the failure is cleared</source>
        <translation>
            <numerusform>%1: %2 fehlgeschlagen: %3 von %n Test (%4); kein Rollout erreicht sie, bis der Fehler aufgehoben ist</numerusform>
            <numerusform>%1: %2 fehlgeschlagen: %3 von %n Tests (%4); kein Rollout erreicht sie, bis der Fehler aufgehoben ist</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>drover::BootServer</name>
    <message>
        <source>--dhcp: &apos;%1&apos; is not one of proxy, full, off</source>
        <translation>--dhcp: &apos;%1&apos; ist keiner der Werte proxy, full, off</translation>
    </message>
    <message>
        <source>--interface: &apos;%1&apos; is not an interface name</source>
        <translation>--interface: &apos;%1&apos; ist kein Schnittstellenname</translation>
    </message>
    <message>
        <source>%1: &apos;%2&apos; is not a port number (1-65535)</source>
        <translation>%1: &apos;%2&apos; ist keine Portnummer (1-65535)</translation>
    </message>
    <message>
        <source>--unknown: &apos;%1&apos; is not one of ignore, register, boot</source>
        <translation>--unknown: &apos;%1&apos; ist keiner der Werte ignore, register, boot</translation>
    </message>
    <message>
        <source>the boot server is running already</source>
        <translation>der Bootserver läuft bereits</translation>
    </message>
    <message>
        <source>there is no network interface named &apos;%1&apos;</source>
        <translation>es gibt keine Netzwerkschnittstelle namens &apos;%1&apos;</translation>
    </message>
    <message>
        <source>interface %1 has no IPv4 address; give it one or pick another interface</source>
        <translation>Schnittstelle %1 hat keine IPv4-Adresse; weisen Sie ihr eine zu oder wählen Sie eine andere Schnittstelle</translation>
    </message>
    <message>
        <source>DHCP needs to tell machines where this server is: pick the lab&apos;s network interface (or give a server address)</source>
        <translation>DHCP muss den Maschinen mitteilen, wo dieser Server ist: Wählen Sie die Netzwerkschnittstelle des Labors (oder geben Sie eine Serveradresse an)</translation>
    </message>
    <message>
        <source>port %1</source>
        <translation>Port %1</translation>
    </message>
    <message>
        <source>proxy, ports %1 and %2</source>
        <translation>Proxy-Modus, Ports %1 und %2</translation>
    </message>
    <message>
        <source>full, port %1</source>
        <translation>Vollmodus, Port %1</translation>
    </message>
    <message>
        <source>boot server running: DHCP %1, interface %2, HTTP %3</source>
        <translation>Bootserver läuft: DHCP %1, Schnittstelle %2, HTTP %3</translation>
    </message>
    <message>
        <source>all</source>
        <translation>alle</translation>
    </message>
    <message>
        <source>another DHCP server (%1) answers on %2; full mode would fight it. Use proxy mode beside it, or switch it off</source>
        <translation>ein anderer DHCP-Server (%1) antwortet auf %2; der Vollmodus würde mit ihm in Konflikt geraten. Verwenden Sie daneben den Proxy-Modus oder schalten Sie ihn ab</translation>
    </message>
    <message>
        <source>--range: &apos;%1&apos; is not FIRST-LAST, two IPv4 addresses such as 10.0.0.100-10.0.0.199</source>
        <translation>--range: „%1“ hat nicht die Form FIRST-LAST, zwei IPv4-Adressen wie 10.0.0.100-10.0.0.199</translation>
    </message>
    <message>
        <source>--range: %1 comes after %2</source>
        <translation>--range: %1 liegt nach %2</translation>
    </message>
    <message>
        <source>cannot power-cycle %1: %2</source>
        <translation>%1 kann nicht aus- und eingeschaltet werden: %2</translation>
    </message>
    <message>
        <source>group %1: %2</source>
        <translation>Gruppe %1: %2</translation>
    </message>
    <message>
        <source>test of %1 in a VM: %2</source>
        <translation>Test von %1 in einer VM: %2</translation>
    </message>
    <message>
        <source>the lab network</source>
        <translation>dem Labornetz</translation>
    </message>
    <message>
        <source>another DHCP server (%1) hands out addresses on %2: %3 asked it for a lease. Two servers giving addresses break the network; switch one off, or use proxy mode beside it</source>
        <translation>ein anderer DHCP-Server (%1) vergibt Adressen an %2: %3 hat ihn um eine Adresse gebeten. Zwei Server, die Adressen vergeben, stören das Netz; schalten Sie einen ab oder nutzen Sie daneben den Proxy-Modus</translation>
    </message>
    <message>
        <source>more than one DHCP server hands out addresses on %1 (%2; last asked by %3): machines may get an address from the wrong one</source>
        <translation>mehr als ein DHCP-Server vergibt Adressen an %1 (%2; zuletzt gefragt von %3): Maschinen bekommen ihre Adresse womöglich vom falschen</translation>
    </message>
    <message>
        <source>DHCP: %1</source>
        <translation>DHCP: %1</translation>
    </message>
</context>
<context>
    <name>drover::BootTargetList</name>
    <message>
        <source>Drag onto machines or a group to boot this instead of an image; assign an image to bring them back</source>
        <translation>Auf Maschinen oder eine Gruppe ziehen, um dies statt eines Abbilds zu starten; ein Abbild zuweisen holt sie zurück</translation>
    </message>
    <message>
        <source>Leave the network boot: the machine starts what is on its own disk</source>
        <translation>Den Netzwerkstart verlassen: die Maschine startet, was auf ihrer eigenen Festplatte ist</translation>
    </message>
    <message>
        <source>memtest86+ from the server (Debian&apos;s memtest86+ package); not with Secure Boot on</source>
        <translation>memtest86+ vom Server (Debians Paket memtest86+); nicht bei eingeschaltetem Secure Boot</translation>
    </message>
    <message>
        <source>A menu on the machine&apos;s screen: its image, the local disk, memtest, the ISOs; the first boots after the menu timeout</source>
        <translation>Ein Menü auf dem Bildschirm des Rechners: sein Abbild, die lokale Platte, memtest, die ISOs; der erste Eintrag startet nach der Menü-Wartezeit</translation>
    </message>
    <message>
        <source>%1 (%2), read from this server as a CD-ROM; right-click to remove it</source>
        <translation>%1 (%2), von diesem Server als CD-ROM gelesen; Rechtsklick zum Entfernen</translation>
    </message>
    <message>
        <source>&amp;Remove ISO %1…</source>
        <translation>ISO %1 &amp;entfernen…</translation>
    </message>
    <message>
        <source>Boot targets</source>
        <translation>Boot-Ziele</translation>
    </message>
</context>
<context>
    <name>drover::BuildPage</name>
    <message>
        <source>&amp;Cancel Build</source>
        <translation>Build &amp;abbrechen</translation>
    </message>
    <message>
        <source>Build</source>
        <translation>Build</translation>
    </message>
    <message>
        <source>What the build does; the last 5000 lines</source>
        <translation>Was der Build tut; die letzten 5000 Zeilen</translation>
    </message>
    <message>
        <source>Stop the build; nothing is published and the caches stay valid</source>
        <translation>Den Build stoppen; nichts wird veröffentlicht und die Caches bleiben gültig</translation>
    </message>
    <message>
        <source>Building %1</source>
        <translation>%1 wird gebaut</translation>
    </message>
    <message>
        <source>Cannot save the recipe: %1</source>
        <translation>Das Rezept kann nicht gespeichert werden: %1</translation>
    </message>
    <message>
        <source>%1 s</source>
        <translation>%1 s</translation>
    </message>
    <message>
        <source>(cached)</source>
        <translation>(im Cache)</translation>
    </message>
    <message>
        <source>The build could not start: another build is running.</source>
        <translation>Der Build konnte nicht starten: ein anderer Build läuft.</translation>
    </message>
    <message>
        <source>Cancelling…</source>
        <translation>Wird abgebrochen…</translation>
    </message>
    <message>
        <source>Elapsed: %1</source>
        <translation>Verstrichen: %1</translation>
    </message>
    <message>
        <source>%1 s…</source>
        <translation>%1 s…</translation>
    </message>
    <message>
        <source>Published %1 in %2 s.</source>
        <translation>%1 in %2 s veröffentlicht.</translation>
    </message>
    <message>
        <source>The recipe is kept in %1 for the next version.</source>
        <translation>Das Rezept wird für die nächste Version in %1 aufbewahrt.</translation>
    </message>
    <message>
        <source>The recipe could not be kept in %1.</source>
        <translation>Das Rezept konnte nicht in %1 aufbewahrt werden.</translation>
    </message>
    <message>
        <source>Cancelled: nothing was published. Back leads to the recipe.</source>
        <translation>Abgebrochen: nichts wurde veröffentlicht. „Zurück“ führt zum Rezept.</translation>
    </message>
    <message>
        <source>The build failed: %1

Nothing was published. Back leads to the recipe to fix it.</source>
        <translation>Der Build ist fehlgeschlagen: %1

Nichts wurde veröffentlicht. „Zurück“ führt zum Rezept, um es zu korrigieren.</translation>
    </message>
</context>
<context>
    <name>drover::BuildWizard</name>
    <message>
        <source>New Image</source>
        <translation>Neues Image</translation>
    </message>
    <message>
        <source>New Image — from %1</source>
        <translation>Neues Image — aus %1</translation>
    </message>
    <message>
        <source>Cancel Build</source>
        <translation>Build abbrechen</translation>
    </message>
    <message>
        <source>An image is being built. Cancel the build and close?</source>
        <translation>Ein Image wird gebaut. Build abbrechen und schließen?</translation>
    </message>
</context>
<context>
    <name>drover::Builder</name>
    <message>
        <source>Bootstrap (mmdebstrap)</source>
        <translation>Bootstrap (mmdebstrap)</translation>
    </message>
    <message>
        <source>Base layer</source>
        <translation>Basisschicht</translation>
    </message>
    <message>
        <source>Kernel</source>
        <translation>Kernel</translation>
    </message>
    <message>
        <source>Top layer (files, users, scripts)</source>
        <translation>Oberste Schicht (Dateien, Benutzer, Skripte)</translation>
    </message>
    <message>
        <source>Initramfs</source>
        <translation>Initramfs</translation>
    </message>
    <message>
        <source>Publish</source>
        <translation>Veröffentlichen</translation>
    </message>
    <message>
        <source>building %1</source>
        <translation>%1 wird gebaut</translation>
    </message>
    <message>
        <source>cancelled</source>
        <translation>abgebrochen</translation>
    </message>
    <message>
        <source>built %1 (%2) in %3 s</source>
        <translation>%1 (%2) in %3 s gebaut</translation>
    </message>
    <message>
        <source>build of %1 failed: %2</source>
        <translation>Build von %1 fehlgeschlagen: %2</translation>
    </message>
    <message>
        <source>building %1 through the privileged build helper</source>
        <translation>%1 wird über den privilegierten Bauhelfer gebaut</translation>
    </message>
</context>
<context>
    <name>drover::Catalog</name>
    <message>
        <source>catalog: the PostgreSQL driver (QPSQL) is not installed; install libqt6sql6-psql</source>
        <translation>Katalog: Der PostgreSQL-Treiber (QPSQL) ist nicht installiert; installieren Sie libqt6sql6-psql</translation>
    </message>
    <message>
        <source>catalog: &apos;%1&apos; is not a PostgreSQL URL like postgresql://user@host/database</source>
        <translation>Katalog: „%1“ ist keine PostgreSQL-URL wie postgresql://user@host/database</translation>
    </message>
    <message>
        <source>catalog: cannot open %1: %2</source>
        <translation>Katalog: %1 kann nicht geöffnet werden: %2</translation>
    </message>
    <message>
        <source>catalog: cannot listen for changes on %1: %2</source>
        <translation>Katalog: Änderungen an %1 können nicht überwacht werden: %2</translation>
    </message>
    <message>
        <source>catalog: %1</source>
        <translation>Katalog: %1</translation>
    </message>
    <message>
        <source>catalog: the database has schema version %1, newer than this Drover understands (%2); upgrade Drover</source>
        <translation>Katalog: Die Datenbank hat die Schemaversion %1, die neuer ist, als diese Drover-Version unterstützt (%2); aktualisieren Sie Drover</translation>
    </message>
    <message>
        <source>catalog: cannot begin migration %1: %2</source>
        <translation>Katalog: Migration %1 kann nicht gestartet werden: %2</translation>
    </message>
    <message>
        <source>catalog: migration %1 (%2) failed: %3</source>
        <translation>Katalog: Migration %1 (%2) ist fehlgeschlagen: %3</translation>
    </message>
    <message>
        <source>catalog: cannot commit migration %1: %2</source>
        <translation>Katalog: Migration %1 kann nicht festgeschrieben werden: %2</translation>
    </message>
    <message>
        <source>a machine named &apos;%1&apos; exists already</source>
        <translation>eine Maschine namens „%1“ existiert bereits</translation>
    </message>
    <message>
        <source>MAC %1 belongs to machine &apos;%2&apos; already</source>
        <translation>MAC %1 gehört bereits zur Maschine „%2“</translation>
    </message>
    <message>
        <source>catalog: cannot add machine &apos;%1&apos;: %2</source>
        <translation>Katalog: Maschine „%1“ kann nicht hinzugefügt werden: %2</translation>
    </message>
    <message>
        <source>catalog: cannot label machine &apos;%1&apos;: %2</source>
        <translation>Katalog: Labels der Maschine „%1“ können nicht gesetzt werden: %2</translation>
    </message>
    <message>
        <source>catalog: cannot update machine &apos;%1&apos;: %2</source>
        <translation>Katalog: Maschine „%1“ kann nicht aktualisiert werden: %2</translation>
    </message>
    <message>
        <source>machine &apos;%1&apos; was changed by someone else since it was read; reload and try again</source>
        <translation>Maschine „%1“ wurde seit dem Lesen von jemand anderem geändert; laden Sie neu und versuchen Sie es erneut</translation>
    </message>
    <message>
        <source>no machine named &apos;%1&apos;</source>
        <translation>keine Maschine namens „%1“</translation>
    </message>
    <message>
        <source>catalog: cannot remove &apos;%1&apos;: %2</source>
        <translation>Katalog: „%1“ kann nicht entfernt werden: %2</translation>
    </message>
    <message>
        <source>image %1 exists already with manifest %2; a published tag never moves</source>
        <translation>Image %1 existiert bereits mit Manifest %2; ein veröffentlichter Tag wird nie verschoben</translation>
    </message>
    <message>
        <source>catalog: cannot add image %1: %2</source>
        <translation>Katalog: Image %1 kann nicht hinzugefügt werden: %2</translation>
    </message>
    <message>
        <source>no image %1</source>
        <translation>kein Image %1</translation>
    </message>
    <message>
        <source>no image %1 in the catalog</source>
        <translation>kein Image %1 im Katalog</translation>
    </message>
    <message>
        <source>catalog: cannot assign %1: %2</source>
        <translation>Katalog: %1 kann nicht zugewiesen werden: %2</translation>
    </message>
    <message>
        <source>catalog: cannot record boot event: %1</source>
        <translation>Katalog: Boot-Ereignis kann nicht gespeichert werden: %1</translation>
    </message>
    <message>
        <source>machine %1</source>
        <translation>Maschine %1</translation>
    </message>
    <message>
        <source>group %1</source>
        <translation>Gruppe %1</translation>
    </message>
    <message>
        <source>default image</source>
        <translation>Standard-Image</translation>
    </message>
    <message>
        <source>last-known-good of %1</source>
        <translation>letztes funktionierendes Image von %1</translation>
    </message>
    <message>
        <source>running on %1</source>
        <translation>läuft auf %1</translation>
    </message>
    <message>
        <source>image %1 is in use by %2</source>
        <translation>Image %1 wird verwendet von %2</translation>
    </message>
    <message>
        <source>catalog: cannot record boot events: %1</source>
        <translation>Katalog: Boot-Ereignisse können nicht gespeichert werden: %1</translation>
    </message>
    <message>
        <source>catalog: cannot record machines seen: %1</source>
        <translation>Katalog: Gesehene Maschinen können nicht gespeichert werden: %1</translation>
    </message>
    <message>
        <source>group &apos;%1&apos;</source>
        <translation>Gruppe „%1“</translation>
    </message>
    <message>
        <source>machine &apos;%1&apos;</source>
        <translation>Maschine „%1“</translation>
    </message>
    <message>
        <source>catalog: only machines and groups have a configuration</source>
        <translation>Katalog: nur Maschinen und Gruppen haben eine Konfiguration</translation>
    </message>
    <message>
        <source>catalog: a configuration needs a machine or group name</source>
        <translation>Katalog: eine Konfiguration benötigt einen Maschinen- oder Gruppennamen</translation>
    </message>
    <message>
        <source>catalog: cannot save the configuration of %1: %2</source>
        <translation>Katalog: die Konfiguration von %1 kann nicht gespeichert werden: %2</translation>
    </message>
    <message>
        <source>the configuration of %1 was removed by someone else since it was read; reload and try again</source>
        <translation>die Konfiguration von %1 wurde seit dem Lesen von jemand anderem entfernt; laden Sie sie neu und versuchen Sie es erneut</translation>
    </message>
    <message>
        <source>the configuration of %1 was changed by %2 at %3 (revision %4) since it was read; reload and try again</source>
        <translation>die Konfiguration von %1 wurde seit dem Lesen von %2 geändert (%3, Revision %4); laden Sie sie neu und versuchen Sie es erneut</translation>
    </message>
    <message>
        <source>someone else</source>
        <translation>jemand anderem</translation>
    </message>
    <message>
        <source>catalog: the configuration of %1 vanished after saving</source>
        <translation>Katalog: die Konfiguration von %1 ist nach dem Speichern verschwunden</translation>
    </message>
    <message>
        <source>catalog: cannot remove a configuration: %1</source>
        <translation>Katalog: eine Konfiguration kann nicht entfernt werden: %1</translation>
    </message>
    <message>
        <source>%1 has no configuration</source>
        <translation>%1 hat keine Konfiguration</translation>
    </message>
    <message>
        <source>the configuration of %1 was changed by someone else since it was read; reload and try again</source>
        <translation>die Konfiguration von %1 wurde seit dem Lesen von jemand anderem geändert; laden Sie sie neu und versuchen Sie es erneut</translation>
    </message>
    <message>
        <source>only a machine can follow its group; give %1 an image</source>
        <translation>nur eine Maschine kann ihrer Gruppe folgen; weisen Sie %1 ein Image zu</translation>
    </message>
    <message>
        <source>catalog: cannot record the address of &apos;%1&apos;: %2</source>
        <translation>Katalog: die Adresse von &apos;%1&apos; lässt sich nicht speichern: %2</translation>
    </message>
    <message>
        <source>catalog: cannot record boot sessions: %1</source>
        <translation>Katalog: Boot-Sitzungen können nicht gespeichert werden: %1</translation>
    </message>
    <message>
        <source>catalog: cannot record the firmware facts of &apos;%1&apos;: %2</source>
        <translation>Katalog: kann die Firmware-Angaben von &apos;%1&apos; nicht speichern: %2</translation>
    </message>
    <message>
        <source>no boot target &apos;%1&apos;; there are: %2</source>
        <translation>kein Startziel &apos;%1&apos;; es gibt: %2</translation>
    </message>
    <message>
        <source>catalog: cannot add ISO %1: %2</source>
        <translation>Katalog: ISO %1 kann nicht hinzugefügt werden: %2</translation>
    </message>
    <message>
        <source>an ISO named %1 exists already with other content (%2); remove it first or choose another name</source>
        <translation>ein ISO namens %1 existiert bereits mit anderem Inhalt (%2); entfernen Sie es zuerst oder wählen Sie einen anderen Namen</translation>
    </message>
    <message>
        <source>catalog: ISO %1 vanished as it was added</source>
        <translation>Katalog: ISO %1 verschwand beim Hinzufügen</translation>
    </message>
    <message>
        <source>ISO %1 is in use by %2</source>
        <translation>ISO %1 wird verwendet von %2</translation>
    </message>
    <message>
        <source>catalog: cannot remove ISO %1: %2</source>
        <translation>Katalog: ISO %1 kann nicht entfernt werden: %2</translation>
    </message>
    <message>
        <source>no ISO named %1</source>
        <translation>kein ISO namens %1</translation>
    </message>
    <message>
        <source>no ISO named %1 in the catalog; add it with drover iso add FILE --name %1</source>
        <translation>kein ISO namens %1 im Katalog; fügen Sie es mit drover iso add DATEI --name %1 hinzu</translation>
    </message>
    <message>
        <source>catalog: cannot record the hardware of &apos;%1&apos;: %2</source>
        <translation>Katalog: die Hardware von „%1“ kann nicht gespeichert werden: %2</translation>
    </message>
    <message>
        <source>no machine named %1</source>
        <translation>keine Maschine namens %1</translation>
    </message>
    <message>
        <source>hardware details changed</source>
        <translation>Details der Hardware geändert</translation>
    </message>
    <message>
        <source>catalog: the hardware of &apos;%1&apos; vanished as it was recorded</source>
        <translation>Katalog: die Hardware von „%1“ verschwand beim Speichern</translation>
    </message>
    <message>
        <source>catalog: cannot clear the hardware change of &apos;%1&apos;: %2</source>
        <translation>Katalog: die Hardware-Änderung von „%1“ kann nicht quittiert werden: %2</translation>
    </message>
    <message>
        <source>machine &apos;%1&apos; cannot be renamed to an empty name</source>
        <translation>Maschine „%1“ kann nicht in einen leeren Namen umbenannt werden</translation>
    </message>
    <message>
        <source>machine &apos;%1&apos; is renamed twice</source>
        <translation>Maschine „%1“ wird zweimal umbenannt</translation>
    </message>
    <message>
        <source>two machines would be named &apos;%1&apos;</source>
        <translation>zwei Maschinen würden „%1“ heißen</translation>
    </message>
    <message>
        <source>catalog: cannot rename machines: %1</source>
        <translation>Katalog: Maschinen können nicht umbenannt werden: %1</translation>
    </message>
    <message>
        <source>catalog: cannot rename &apos;%1&apos; to &apos;%2&apos;: %3</source>
        <translation>Katalog: „%1“ kann nicht in „%2“ umbenannt werden: %3</translation>
    </message>
    <message>
        <source>catalog: cannot record the tests of &apos;%1&apos;: %2</source>
        <translation>Katalog: die Tests von „%1“ lassen sich nicht speichern: %2</translation>
    </message>
    <message>
        <source>catalog: the tests of &apos;%1&apos; vanished as they were recorded</source>
        <translation>Katalog: die Tests von „%1“ verschwanden beim Speichern</translation>
    </message>
    <message>
        <source>catalog: cannot clear the burn-in failure of &apos;%1&apos;: %2</source>
        <translation>Katalog: der Burn-in-Fehler von „%1“ lässt sich nicht aufheben: %2</translation>
    </message>
    <message>
        <source>the image new machines boot</source>
        <translation>das Image, das neue Maschinen booten</translation>
    </message>
</context>
<context>
    <name>drover::Cli</name>
    <message>
        <source>usage: drover %1 %2</source>
        <translation>Aufruf: drover %1 %2</translation>
    </message>
    <message>
        <source>drover: wrong number of arguments</source>
        <translation>drover: falsche Anzahl von Argumenten</translation>
    </message>
</context>
<context>
    <name>drover::ColumnLayout</name>
    <message>
        <source>Reset Columns</source>
        <translation>Spalten zurücksetzen</translation>
    </message>
</context>
<context>
    <name>drover::ConfigEditor</name>
    <message>
        <source>Save</source>
        <translation>Speichern</translation>
    </message>
    <message>
        <source>Revert</source>
        <translation>Zurücksetzen</translation>
    </message>
    <message>
        <source>This machine</source>
        <translation>Diese Maschine</translation>
    </message>
    <message>
        <source>Its group</source>
        <translation>Ihre Gruppe</translation>
    </message>
    <message>
        <source>the machine&apos;s name; templates: {{name}}, {{label.KEY}}</source>
        <translation>der Name der Maschine; Vorlagen: {{name}}, {{label.KEY}}</translation>
    </message>
    <message>
        <source>As the image and the boot set it</source>
        <translation>Wie von Image und Boot festgelegt</translation>
    </message>
    <message>
        <source>DHCP</source>
        <translation>DHCP</translation>
    </message>
    <message>
        <source>Static address</source>
        <translation>Statische Adresse</translation>
    </message>
    <message>
        <source>10.0.0.5/24 or 10.0.0.{{label.host}}/24</source>
        <translation>10.0.0.5/24 oder 10.0.0.{{label.host}}/24</translation>
    </message>
    <message>
        <source>10.0.0.1 (optional)</source>
        <translation>10.0.0.1 (optional)</translation>
    </message>
    <message>
        <source>10.0.0.1, 10.0.0.2 (optional)</source>
        <translation>10.0.0.1, 10.0.0.2 (optional)</translation>
    </message>
    <message>
        <source>No configuration. Example:
{
  &quot;hostname&quot;: &quot;{{name}}.lab.example&quot;,
  &quot;users&quot;: [ { &quot;name&quot;: &quot;alice&quot;, &quot;uid&quot;: 1001, &quot;groups&quot;: [&quot;sudo&quot;],
      &quot;keys&quot;: [&quot;ssh-ed25519 AAAA… alice@lab&quot;] } ],
  &quot;files&quot;: [ { &quot;path&quot;: &quot;/etc/motd&quot;, &quot;content&quot;: &quot;Hello from {{name}}\n&quot;, &quot;template&quot;: true } ],
  &quot;scripts&quot;: [ { &quot;name&quot;: &quot;10-hello&quot;, &quot;body&quot;: &quot;#!/bin/sh\necho hi\n&quot; } ]
}</source>
        <translation>Keine Konfiguration. Beispiel:
{
  &quot;hostname&quot;: &quot;{{name}}.lab.example&quot;,
  &quot;users&quot;: [ { &quot;name&quot;: &quot;alice&quot;, &quot;uid&quot;: 1001, &quot;groups&quot;: [&quot;sudo&quot;],
      &quot;keys&quot;: [&quot;ssh-ed25519 AAAA… alice@lab&quot;] } ],
  &quot;files&quot;: [ { &quot;path&quot;: &quot;/etc/motd&quot;, &quot;content&quot;: &quot;Hallo von {{name}}\n&quot;, &quot;template&quot;: true } ],
  &quot;scripts&quot;: [ { &quot;name&quot;: &quot;10-hello&quot;, &quot;body&quot;: &quot;#!/bin/sh\necho hi\n&quot; } ]
}</translation>
    </message>
    <message>
        <source>Edit:</source>
        <translation>Bearbeiten:</translation>
    </message>
    <message>
        <source>Host name:</source>
        <translation>Hostname:</translation>
    </message>
    <message>
        <source>Network:</source>
        <translation>Netzwerk:</translation>
    </message>
    <message>
        <source>Address:</source>
        <translation>Adresse:</translation>
    </message>
    <message>
        <source>Gateway:</source>
        <translation>Gateway:</translation>
    </message>
    <message>
        <source>DNS:</source>
        <translation>DNS:</translation>
    </message>
    <message>
        <source>All of it as JSON — users and their ssh keys, files, scripts here:</source>
        <translation>Alles als JSON — Benutzer und ihre ssh-Schlüssel, Dateien, Skripte hier:</translation>
    </message>
    <message>
        <source>As the machine will receive it</source>
        <translation>So, wie die Maschine sie erhält</translation>
    </message>
    <message>
        <source>This machine (%1)</source>
        <translation>Diese Maschine (%1)</translation>
    </message>
    <message>
        <source>Its group (label the machine group=NAME to give it one)</source>
        <translation>Ihre Gruppe (setzen Sie an der Maschine das Label group=NAME, um ihr eine zu geben)</translation>
    </message>
    <message>
        <source>Its group (%1)</source>
        <translation>Ihre Gruppe (%1)</translation>
    </message>
    <message>
        <source>Revision %1, saved by %2 on %3</source>
        <translation>Revision %1, gespeichert von %2 am %3</translation>
    </message>
    <message>
        <source>someone</source>
        <translation>jemandem</translation>
    </message>
    <message>
        <source>No configuration stored</source>
        <translation>Keine Konfiguration gespeichert</translation>
    </message>
    <message>
        <source>Changed by %1 since you loaded it (now revision %2): Save will be refused; Revert loads the new version</source>
        <translation>Seit dem Laden von %1 geändert (jetzt Revision %2): Speichern wird abgelehnt; Zurücksetzen lädt die neue Version</translation>
    </message>
    <message>
        <source>someone else</source>
        <translation>jemand anderem</translation>
    </message>
    <message>
        <source>Fix the problems shown above to see what the machine will receive.</source>
        <translation>Beheben Sie die oben angezeigten Probleme, um zu sehen, was die Maschine erhält.</translation>
    </message>
    <message>
        <source>The JSON below is not valid: fix it before using the form.</source>
        <translation>Das JSON unten ist ungültig: korrigieren Sie es, bevor Sie das Formular verwenden.</translation>
    </message>
    <message>
        <source>group %1 r%2</source>
        <translation>Gruppe %1 r%2</translation>
    </message>
    <message>
        <source>machine %1 r%2</source>
        <translation>Maschine %1 r%2</translation>
    </message>
    <message>
        <source>group %1 (unsaved)</source>
        <translation>Gruppe %1 (nicht gespeichert)</translation>
    </message>
    <message>
        <source>machine %1 (unsaved)</source>
        <translation>Maschine %1 (nicht gespeichert)</translation>
    </message>
    <message>
        <source># No configuration for %1: it boots its image as built (the server answers 404).</source>
        <translation># Keine Konfiguration für %1: bootet das Image wie gebaut (der Server antwortet mit 404).</translation>
    </message>
    <message>
        <source># Cannot render the configuration for %1:
# %2</source>
        <translation># Die Konfiguration für %1 kann nicht erzeugt werden:
# %2</translation>
    </message>
    <message>
        <source>Not removed: %1</source>
        <translation>Nicht entfernt: %1</translation>
    </message>
    <message>
        <source>Not saved: fix the problems shown</source>
        <translation>Nicht gespeichert: beheben Sie die angezeigten Probleme</translation>
    </message>
    <message>
        <source>Not saved: %1</source>
        <translation>Nicht gespeichert: %1</translation>
    </message>
</context>
<context>
    <name>drover::ConsoleView</name>
    <message>
        <source>Console of %1</source>
        <translation>Konsole von %1</translation>
    </message>
    <message>
        <source>No console output yet (%1).</source>
        <translation>Noch keine Konsolenausgabe (%1).</translation>
    </message>
</context>
<context>
    <name>drover::DhcpServer</name>
    <message>
        <source>DHCP: full mode hands out addresses and needs the interface of the lab network; choose one</source>
        <translation>DHCP: Der Vollmodus vergibt Adressen und benötigt die Schnittstelle des Labornetzes; wählen Sie eine aus</translation>
    </message>
    <message>
        <source>DHCP: full mode needs an IPv4 address range (first and last address)</source>
        <translation>DHCP: Der Vollmodus benötigt einen IPv4-Adressbereich (erste und letzte Adresse)</translation>
    </message>
    <message>
        <source>DHCP: the range starts at %1, after its end %2</source>
        <translation>DHCP: Der Bereich beginnt bei %1, nach seinem Ende %2</translation>
    </message>
    <message>
        <source>DHCP: the range %1 – %2 holds more than 65536 addresses</source>
        <translation>DHCP: Der Bereich %1 – %2 umfasst mehr als 65536 Adressen</translation>
    </message>
    <message>
        <source>DHCP: a lease of %1 s is too short (at least 60 s)</source>
        <translation>DHCP: Eine Lease von %1 s ist zu kurz (mindestens 60 s)</translation>
    </message>
    <message>
        <source>DHCP: there is no network interface named &apos;%1&apos;</source>
        <translation>DHCP: Es gibt keine Netzwerkschnittstelle namens &apos;%1&apos;</translation>
    </message>
    <message>
        <source>DHCP: interface %1 has no IPv4 address; give it one first</source>
        <translation>DHCP: Schnittstelle %1 hat keine IPv4-Adresse; weisen Sie ihr zuerst eine zu</translation>
    </message>
    <message>
        <source>DHCP: the server address %1 is not IPv4</source>
        <translation>DHCP: Die Serveradresse %1 ist keine IPv4-Adresse</translation>
    </message>
    <message>
        <source>boot information only</source>
        <translation>nur Boot-Informationen</translation>
    </message>
    <message>
        <source>DHCP: another DHCP server answers on %1: %2 (it offered %3). Full mode would hand out conflicting addresses: use proxy mode beside it, or stop it.</source>
        <translation>DHCP: Ein anderer DHCP-Server antwortet auf %1: %2 (er bot %3 an). Der Vollmodus würde widersprüchliche Adressen vergeben: Verwenden Sie daneben den Proxy-Modus oder beenden Sie ihn.</translation>
    </message>
    <message>
        <source>every interface</source>
        <translation>allen Schnittstellen</translation>
    </message>
    <message>
        <source>DHCP: full mode on %1, port %2, addresses %3 – %4</source>
        <translation>DHCP: Vollmodus auf %1, Port %2, Adressen %3 – %4</translation>
    </message>
    <message>
        <source>DHCP: proxy mode on %1, ports %2 and %3</source>
        <translation>DHCP: Proxy-Modus auf %1, Ports %2 und %3</translation>
    </message>
    <message>
        <source>DHCP: stopped</source>
        <translation>DHCP: beendet</translation>
    </message>
    <message>
        <source>DHCP: cannot answer %1: %2</source>
        <translation>DHCP: %1 kann nicht beantwortet werden: %2</translation>
    </message>
    <message>
        <source>DHCP: not answering %1: %2</source>
        <translation>DHCP: %1 wird nicht beantwortet: %2</translation>
    </message>
    <message>
        <source>proxy ack, %1 (%2)</source>
        <translation>proxy ack, %1 (%2)</translation>
    </message>
    <message>
        <source>proxy offer, %1 (%2)</source>
        <translation>proxy offer, %1 (%2)</translation>
    </message>
    <message>
        <source>offer</source>
        <translation>offer</translation>
    </message>
    <message>
        <source>nak %1: %2</source>
        <translation>nak %1: %2</translation>
    </message>
    <message>
        <source>ack</source>
        <translation>ack</translation>
    </message>
    <message>
        <source>release %1</source>
        <translation>release %1</translation>
    </message>
    <message>
        <source>possible cloned MAC %1: seen at %2 and at %3 within %4 s; no boot for this MAC until it settles</source>
        <translation>möglicherweise geklonte MAC %1: innerhalb von %4 s bei %2 und bei %3 gesehen; kein Boot für diese MAC, bis sich das klärt</translation>
    </message>
    <message>
        <source>DHCP: ignored a decline: %1</source>
        <translation>DHCP: ein DECLINE ignoriert: %1</translation>
    </message>
    <message numerus="yes">
        <source>decline %1: another host uses it; out of the pool for %n s</source>
        <translation>
            <numerusform>DECLINE %1: ein anderer Host benutzt sie; %n s lang nicht im Pool</numerusform>
            <numerusform>DECLINE %1: ein anderer Host benutzt sie; %n s lang nicht im Pool</numerusform>
        </translation>
    </message>
    <message>
        <source>nak: %1</source>
        <translation>NAK: %1</translation>
    </message>
</context>
<context>
    <name>drover::FilesPage</name>
    <message>
        <source>Files and Scripts</source>
        <translation>Dateien und Skripte</translation>
    </message>
    <message>
        <source>Files copied into the image, scripts run inside it while building, services.</source>
        <translation>Dateien, die in das Image kopiert werden, Skripte, die beim Bauen darin laufen, Dienste.</translation>
    </message>
    <message>
        <source>Path in the image</source>
        <translation>Pfad im Image</translation>
    </message>
    <message>
        <source>Mode</source>
        <translation>Modus</translation>
    </message>
    <message>
        <source>Copied from</source>
        <translation>Kopiert aus</translation>
    </message>
    <message>
        <source>Drop files or folders here from the file manager. Edit a path or a mode (octal; empty: 0644, or 0755 for executables) with F2</source>
        <translation>Dateien oder Ordner hier aus dem Dateimanager ablegen. Einen Pfad oder Modus (oktal; leer: 0644, bzw. 0755 für ausführbare Dateien) mit F2 bearbeiten</translation>
    </message>
    <message>
        <source>Directory in the image that added or dropped files go to</source>
        <translation>Verzeichnis im Image, in das hinzugefügte oder abgelegte Dateien kommen</translation>
    </message>
    <message>
        <source>Owner of every copied file: USER:GROUP by name in the image or by number</source>
        <translation>Eigentümer jeder kopierten Datei: USER:GROUP als Name im Image oder als Nummer</translation>
    </message>
    <message>
        <source>&amp;Add Files…</source>
        <translation>Dateien &amp;hinzufügen…</translation>
    </message>
    <message>
        <source>Choose files to copy into the target directory</source>
        <translation>Dateien zum Kopieren in das Zielverzeichnis auswählen</translation>
    </message>
    <message>
        <source>&amp;Remove</source>
        <translation>&amp;Entfernen</translation>
    </message>
    <message>
        <source>Remove the selected files from the image (not from the disk)</source>
        <translation>Die ausgewählten Dateien aus dem Image entfernen (nicht von der Festplatte)</translation>
    </message>
    <message>
        <source>Add to &amp;directory:</source>
        <translation>Hinzufügen zu &amp;Verzeichnis:</translation>
    </message>
    <message>
        <source>O&amp;wner of all files:</source>
        <translation>Eigen&amp;tümer aller Dateien:</translation>
    </message>
    <message>
        <source>&amp;Files</source>
        <translation>&amp;Dateien</translation>
    </message>
    <message>
        <source>Run in this order inside the image; double-click or F2 renames</source>
        <translation>Werden in dieser Reihenfolge im Image ausgeführt; Doppelklick oder F2 benennt um</translation>
    </message>
    <message>
        <source>A script with a #! line runs as itself, others with /bin/sh -e</source>
        <translation>Ein Skript mit einer #!-Zeile wird direkt ausgeführt, andere mit /bin/sh -e</translation>
    </message>
    <message>
        <source>New &amp;Script</source>
        <translation>Neues &amp;Skript</translation>
    </message>
    <message>
        <source>Add a script that runs after the ones above</source>
        <translation>Ein Skript hinzufügen, das nach den obigen läuft</translation>
    </message>
    <message>
        <source>&amp;Remove Script</source>
        <translation>Skript ent&amp;fernen</translation>
    </message>
    <message>
        <source>Move &amp;Up</source>
        <translation>Nach &amp;oben</translation>
    </message>
    <message>
        <source>Run the selected script earlier</source>
        <translation>Das ausgewählte Skript früher ausführen</translation>
    </message>
    <message>
        <source>Move &amp;Down</source>
        <translation>Nach &amp;unten</translation>
    </message>
    <message>
        <source>Run the selected script later</source>
        <translation>Das ausgewählte Skript später ausführen</translation>
    </message>
    <message>
        <source>S&amp;cripts</source>
        <translation>S&amp;kripte</translation>
    </message>
    <message>
        <source>systemd units to enable, separated by spaces: ssh systemd-networkd …</source>
        <translation>Zu aktivierende systemd-Units, durch Leerzeichen getrennt: ssh systemd-networkd …</translation>
    </message>
    <message>
        <source>systemd units to disable, separated by spaces</source>
        <translation>Zu deaktivierende systemd-Units, durch Leerzeichen getrennt</translation>
    </message>
    <message>
        <source>&amp;Enable:</source>
        <translation>&amp;Aktivieren:</translation>
    </message>
    <message>
        <source>&amp;Disable:</source>
        <translation>Deakti&amp;vieren:</translation>
    </message>
    <message>
        <source>Ser&amp;vices</source>
        <translation>D&amp;ienste</translation>
    </message>
    <message>
        <source>(template)</source>
        <translation>(Vorlage)</translation>
    </message>
    <message>
        <source>Add Files to the Image</source>
        <translation>Dateien zum Image hinzufügen</translation>
    </message>
</context>
<context>
    <name>drover::FirstRunGuide</name>
    <message>
        <source>&amp;New Image…</source>
        <translation>&amp;Neues Abbild …</translation>
    </message>
    <message>
        <source>&amp;Start the Boot Server</source>
        <translation>Boot-Server &amp;starten</translation>
    </message>
    <message>
        <source>Add &amp;Virtual Machines…</source>
        <translation>&amp;Virtuelle Maschinen hinzufügen …</translation>
    </message>
    <message>
        <source>&amp;Add Machine…</source>
        <translation>Maschine &amp;hinzufügen …</translation>
    </message>
    <message>
        <source>First steps</source>
        <translation>Erste Schritte</translation>
    </message>
    <message>
        <source>This lab is empty. Three steps to the first boot:</source>
        <translation>Dieses Labor ist leer. Drei Schritte zum ersten Boot:</translation>
    </message>
    <message>
        <source>Build an image from a recipe (Debian, a template), or import a container image or root file system archive.</source>
        <translation>Bauen Sie ein Abbild aus einem Rezept (Debian, eine Vorlage) oder importieren Sie ein Container-Abbild oder ein Archiv eines Wurzeldateisystems.</translation>
    </message>
    <message>
        <source>Start the boot server, so that machines on the lab network find it when they network-boot.</source>
        <translation>Starten Sie den Boot-Server, damit Maschinen im Labornetz ihn beim Netzwerk-Boot finden.</translation>
    </message>
    <message>
        <source>Power on a machine on the lab network (it appears here), or add a virtual one on this computer.</source>
        <translation>Schalten Sie eine Maschine im Labornetz ein (sie erscheint hier) oder fügen Sie auf diesem Rechner eine virtuelle hinzu.</translation>
    </message>
    <message>
        <source>Open the build wizard (Ctrl+Shift+N)</source>
        <translation>Den Bau-Assistenten öffnen (Strg+Umschalt+N)</translation>
    </message>
    <message>
        <source>Start serving with the Server panel&apos;s settings</source>
        <translation>Mit den Einstellungen des Server-Bereichs ausliefern</translation>
    </message>
    <message>
        <source>Create virtual machines that network-boot from this server</source>
        <translation>Virtuelle Maschinen anlegen, die von diesem Server im Netzwerk booten</translation>
    </message>
    <message>
        <source>Add a machine by its MAC address (Ctrl+N)</source>
        <translation>Eine Maschine über ihre MAC-Adresse hinzufügen (Strg+N)</translation>
    </message>
    <message>
        <source>Done</source>
        <translation>Erledigt</translation>
    </message>
    <message>
        <source>To do</source>
        <translation>Zu tun</translation>
    </message>
    <message>
        <source>Step %1: done</source>
        <translation>Schritt %1: erledigt</translation>
    </message>
    <message>
        <source>Step %1: to do</source>
        <translation>Schritt %1: zu tun</translation>
    </message>
    <message>
        <source>&amp;Serving</source>
        <translation>&amp;Liefert aus</translation>
    </message>
</context>
<context>
    <name>drover::FleetActions</name>
    <message numerus="yes">
        <source>assign %1 to %n machine(s)</source>
        <translation>
            <numerusform>Zuweisung von %1 an %n Maschine</numerusform>
            <numerusform>Zuweisung von %1 an %n Maschinen</numerusform>
        </translation>
    </message>
    <message>
        <source>assigned in the fleet table</source>
        <translation>in der Flottentabelle zugewiesen</translation>
    </message>
    <message numerus="yes">
        <source>%1 assigned; %n machine(s) boot it at their next boot (Ctrl+Z to undo)</source>
        <translation>
            <numerusform>%1 zugewiesen; %n Maschine bootet es beim nächsten Booten (Strg+Z zum Rückgängigmachen)</numerusform>
            <numerusform>%1 zugewiesen; %n Maschinen booten es beim nächsten Booten (Strg+Z zum Rückgängigmachen)</numerusform>
        </translation>
    </message>
    <message>
        <source>%1: %2 → %3</source>
        <translation>%1: %2 → %3</translation>
    </message>
    <message>
        <source>(nothing)</source>
        <translation>(nichts)</translation>
    </message>
    <message>
        <source>No machine&apos;s next boot changes.</source>
        <translation>Für keine Maschine ändert sich der nächste Bootvorgang.</translation>
    </message>
    <message>
        <source>Assign %1</source>
        <translation>%1 zuweisen</translation>
    </message>
    <message>
        <source>At their next boot:

%1

Assign %2?</source>
        <translation>Beim nächsten Booten:

%1

%2 zuweisen?</translation>
    </message>
    <message>
        <source>%1 rolls back to %2 at its next boot</source>
        <translation>%1 wird beim nächsten Booten auf %2 zurückgerollt</translation>
    </message>
    <message>
        <source>%1: %2</source>
        <translation>%1: %2</translation>
    </message>
    <message>
        <source>Select machines first.</source>
        <translation>Wählen Sie zuerst Maschinen aus.</translation>
    </message>
    <message>
        <source>Assign Image</source>
        <translation>Image zuweisen</translation>
    </message>
    <message>
        <source>%1  %2  by %3  %4</source>
        <translation>%1  %2  von %3  %4</translation>
    </message>
    <message>
        <source>History of %1</source>
        <translation>Verlauf von %1</translation>
    </message>
    <message>
        <source>No image was ever assigned to this machine itself; it follows its group or the default image.</source>
        <translation>Dieser Maschine selbst wurde nie ein Image zugewiesen; sie folgt ihrer Gruppe oder dem Standard-Image.</translation>
    </message>
    <message>
        <source>&amp;Assign Image…</source>
        <translation>Image &amp;zuweisen…</translation>
    </message>
    <message>
        <source>&amp;Roll Back</source>
        <translation>Zu&amp;rückrollen</translation>
    </message>
    <message>
        <source>&amp;History…</source>
        <translation>&amp;Verlauf…</translation>
    </message>
    <message>
        <source>(follows its group)</source>
        <translation>(folgt ihrer Gruppe)</translation>
    </message>
    <message numerus="yes">
        <source>Image or boot target for %n machine(s):</source>
        <translation>
            <numerusform>Abbild oder Startziel für %n Maschine:</numerusform>
            <numerusform>Abbild oder Startziel für %n Maschinen:</numerusform>
        </translation>
    </message>
    <message>
        <source>Boot &amp;Instead</source>
        <translation>&amp;Statt dessen starten</translation>
    </message>
    <message>
        <source>Send the selected machines somewhere else than an image at their next boot; assign an image to bring them back</source>
        <translation>Die gewählten Maschinen beim nächsten Start anderswohin als zu einem Abbild schicken; ein Abbild zuweisen holt sie zurück</translation>
    </message>
    <message numerus="yes">
        <source>named %n machine(s) from %1</source>
        <translation>
            <numerusform>%n Maschine nach %1 benannt</numerusform>
            <numerusform>%n Maschinen nach %1 benannt</numerusform>
        </translation>
    </message>
    <message>
        <source>&amp;Name Machines…</source>
        <translation>Maschinen &amp;benennen…</translation>
    </message>
    <message>
        <source>Name the selected machines from a pattern (lab-{n:02}) and label them</source>
        <translation>Die ausgewählten Maschinen nach einem Muster (lab-{n:02}) benennen und mit Labels versehen</translation>
    </message>
    <message>
        <source>Save Hand-over Sheet</source>
        <translation>Übergabeblatt speichern</translation>
    </message>
    <message>
        <source>PDF (*.pdf);;Web page (*.html)</source>
        <translation>PDF (*.pdf);;Webseite (*.html)</translation>
    </message>
    <message numerus="yes">
        <source>saved the hand-over sheet of %n machine(s) to %1</source>
        <translation>
            <numerusform>Übergabeblatt von %n Maschine nach %1 gespeichert</numerusform>
            <numerusform>Übergabeblatt von %n Maschinen nach %1 gespeichert</numerusform>
        </translation>
    </message>
    <message>
        <source>Machines handed over</source>
        <translation>Übergebene Maschinen</translation>
    </message>
    <message>
        <source>Save Hand-over &amp;Sheet…</source>
        <translation>Übergabe&amp;blatt speichern…</translation>
    </message>
    <message>
        <source>A page per machine with its hardware, labels and image, as PDF or HTML, to hand over with the machines</source>
        <translation>Eine Seite je Maschine mit Hardware, Labels und Abbild, als PDF oder HTML, zur Übergabe mit den Maschinen</translation>
    </message>
    <message>
        <source>assigning %1: %2</source>
        <translation>%1 zuweisen: %2</translation>
    </message>
    <message>
        <source>the default</source>
        <translation>die Voreinstellung</translation>
    </message>
    <message>
        <source>assigned %1 to %2</source>
        <translation>hat %1 an %2 zugewiesen</translation>
    </message>
    <message>
        <source>rolled %1 back to %2</source>
        <translation>hat %1 auf %2 zurückgesetzt</translation>
    </message>
</context>
<context>
    <name>drover::FleetModel</name>
    <message>
        <source>new</source>
        <translation>neu</translation>
    </message>
    <message>
        <source>unknown</source>
        <translation>unbekannt</translation>
    </message>
    <message>
        <source>booting</source>
        <translation>bootet</translation>
    </message>
    <message>
        <source>booting: %1</source>
        <translation>bootet: %1</translation>
    </message>
    <message>
        <source>ready</source>
        <translation>bereit</translation>
    </message>
    <message>
        <source>failed</source>
        <translation>fehlgeschlagen</translation>
    </message>
    <message>
        <source>failed: %1</source>
        <translation>fehlgeschlagen: %1</translation>
    </message>
    <message>
        <source>offline</source>
        <translation>offline</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>Name</translation>
    </message>
    <message>
        <source>MAC</source>
        <translation>MAC</translation>
    </message>
    <message>
        <source>Address</source>
        <translation>Adresse</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>Status</translation>
    </message>
    <message>
        <source>Current image</source>
        <translation>Aktuelles Image</translation>
    </message>
    <message>
        <source>Assigned image</source>
        <translation>Zugewiesenes Image</translation>
    </message>
    <message>
        <source>Last seen</source>
        <translation>Zuletzt gesehen</translation>
    </message>
    <message>
        <source>Labels</source>
        <translation>Labels</translation>
    </message>
    <message>
        <source>canary</source>
        <translation>Canary</translation>
    </message>
    <message>
        <source>wave %1</source>
        <translation>Welle %1</translation>
    </message>
    <message>
        <source>baking</source>
        <translation>in Bewährung</translation>
    </message>
    <message>
        <source>rolling out</source>
        <translation>wird ausgerollt</translation>
    </message>
    <message>
        <source>waiting for %1</source>
        <translation>wartet auf %1</translation>
    </message>
    <message>
        <source>%1, %2</source>
        <translation>%1, %2</translation>
    </message>
    <message>
        <source>%1 (rollout: %2)</source>
        <translation>%1 (Rollout: %2)</translation>
    </message>
    <message>
        <source>waiting for the test of %1 in a VM</source>
        <translation>wartet auf den Test von %1 in einer VM</translation>
    </message>
    <message>
        <source>%1: the hardware changed (%2): %3. The Hardware tab shows it and acknowledges it.</source>
        <translation>%1: die Hardware hat sich geändert (%2): %3. Der Reiter Hardware zeigt und quittiert es.</translation>
    </message>
    <message numerus="yes">
        <source>%n thread(s)</source>
        <translation>
            <numerusform>%n Thread</numerusform>
            <numerusform>%n Threads</numerusform>
        </translation>
    </message>
    <message>
        <source>Model</source>
        <translation>Modell</translation>
    </message>
    <message>
        <source>Serial number</source>
        <translation>Seriennummer</translation>
    </message>
    <message>
        <source>CPU</source>
        <translation>CPU</translation>
    </message>
    <message>
        <source>Memory</source>
        <translation>Arbeitsspeicher</translation>
    </message>
    <message>
        <source>%1 failed its burn-in (%2): no rollout gives it an image until the failure is cleared in the Tests tab.</source>
        <translation>%1 hat den Burn-in nicht bestanden (%2): kein Rollout gibt ihr ein Image, bis der Fehler im Reiter Tests aufgehoben ist.</translation>
    </message>
</context>
<context>
    <name>drover::FleetSummary</name>
    <message>
        <source>Fleet summary</source>
        <translation>Flottenübersicht</translation>
    </message>
    <message>
        <source>The machines of the catalog by their last known state</source>
        <translation>Die Maschinen des Katalogs nach ihrem letzten bekannten Zustand</translation>
    </message>
    <message numerus="yes">
        <source>%n ready</source>
        <translation>
            <numerusform>%n bereit</numerusform>
            <numerusform>%n bereit</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n booting</source>
        <translation>
            <numerusform>%n bootet</numerusform>
            <numerusform>%n booten</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n failed</source>
        <translation>
            <numerusform>%n fehlgeschlagen</numerusform>
            <numerusform>%n fehlgeschlagen</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n offline</source>
        <translation>
            <numerusform>%n offline</numerusform>
            <numerusform>%n offline</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n not booted yet</source>
        <translation>
            <numerusform>%n noch nicht gebootet</numerusform>
            <numerusform>%n noch nicht gebootet</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n machine(s)</source>
        <translation>
            <numerusform>%n Maschine</numerusform>
            <numerusform>%n Maschinen</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>drover::FleetView</name>
    <message>
        <source>Search machines by name, MAC, address, image or label (Ctrl+F)</source>
        <translation>Maschinen nach Name, MAC, Adresse, Image oder Label durchsuchen (Strg+F)</translation>
    </message>
    <message>
        <source>No machines yet.

Machines appear here when they network-boot from Drover&apos;s boot server, or add one with Machines → Add Machine… (Ctrl+N).</source>
        <translation>Noch keine Maschinen.

Maschinen erscheinen hier, sobald sie über den Bootserver von Drover per Netzwerk booten. Sie können auch mit Maschinen → Maschine hinzufügen… (Strg+N) eine hinzufügen.</translation>
    </message>
    <message>
        <source>Show the machines in sections, one per value of a label</source>
        <translation>Die Maschinen in Abschnitten zeigen, einen je Wert eines Labels</translation>
    </message>
    <message>
        <source>&amp;Group by:</source>
        <translation>&amp;Gruppieren nach:</translation>
    </message>
    <message>
        <source>(none)</source>
        <translation>(keine)</translation>
    </message>
    <message>
        <source>Show every machine, or only those that need a look</source>
        <translation>Alle Maschinen zeigen oder nur die, die einen Blick brauchen</translation>
    </message>
    <message>
        <source>All machines</source>
        <translation>Alle Maschinen</translation>
    </message>
    <message>
        <source>New</source>
        <translation>Neu</translation>
    </message>
    <message>
        <source>Hardware changed</source>
        <translation>Hardware geändert</translation>
    </message>
    <message>
        <source>Burn-in failed</source>
        <translation>Burn-in fehlgeschlagen</translation>
    </message>
    <message>
        <source>Sho&amp;w:</source>
        <translation>An&amp;zeigen:</translation>
    </message>
    <message>
        <source>Search machines</source>
        <translation>Maschinen suchen</translation>
    </message>
    <message>
        <source>Fleet table</source>
        <translation>Flottentabelle</translation>
    </message>
    <message>
        <source>Show</source>
        <translation>Anzeigen</translation>
    </message>
    <message>
        <source>Group by</source>
        <translation>Gruppieren nach</translation>
    </message>
</context>
<context>
    <name>drover::HardwareTab</name>
    <message>
        <source>&amp;Acknowledge Change</source>
        <translation>Änderung &amp;quittieren</translation>
    </message>
    <message>
        <source>The machine&apos;s hardware changed between two boots. Acknowledge it once the change is known and wanted: the mark in the fleet table goes away.</source>
        <translation>Die Hardware der Maschine hat sich zwischen zwei Boots geändert. Quittieren Sie es, sobald die Änderung bekannt und gewollt ist: die Markierung in der Flottentabelle verschwindet.</translation>
    </message>
    <message>
        <source>Part</source>
        <translation>Teil</translation>
    </message>
    <message>
        <source>Details</source>
        <translation>Details</translation>
    </message>
    <message>
        <source>Hardware of the selected machine</source>
        <translation>Hardware der ausgewählten Maschine</translation>
    </message>
    <message>
        <source>Select a machine to see its hardware.</source>
        <translation>Wählen Sie eine Maschine, um ihre Hardware zu sehen.</translation>
    </message>
    <message>
        <source>%1 has not reported its hardware yet. Every boot into a Drover image reports it, before the image&apos;s scripts and checks run.</source>
        <translation>%1 hat seine Hardware noch nicht gemeldet. Jeder Boot in ein Drover-Abbild meldet sie, bevor die Skripte und Prüfungen des Abbilds laufen.</translation>
    </message>
    <message>
        <source>Reported by the boot at %1; this hardware first seen %2.</source>
        <translation>Gemeldet vom Boot um %1; diese Hardware zuerst gesehen %2.</translation>
    </message>
    <message>
        <source>&lt;b&gt;The hardware changed&lt;/b&gt; (%1): %2</source>
        <translation>&lt;b&gt;Die Hardware hat sich geändert&lt;/b&gt; (%1): %2</translation>
    </message>
    <message>
        <source>Hardware</source>
        <translation>Hardware</translation>
    </message>
    <message>
        <source>Changes</source>
        <translation>Änderungen</translation>
    </message>
    <message numerus="yes">
        <source>%n change(s) of hardware</source>
        <translation>
            <numerusform>%n Änderung der Hardware</numerusform>
            <numerusform>%n Änderungen der Hardware</numerusform>
        </translation>
    </message>
    <message>
        <source>Acknowledge Change</source>
        <translation>Änderung quittieren</translation>
    </message>
</context>
<context>
    <name>drover::HttpBootServer</name>
    <message>
        <source>the HTTP boot server is running already</source>
        <translation>der HTTP-Bootserver läuft bereits</translation>
    </message>
    <message>
        <source>cannot set up boot tokens: %1</source>
        <translation>Boot-Tokens können nicht eingerichtet werden: %1</translation>
    </message>
    <message>
        <source>cannot read the catalog: %1</source>
        <translation>der Katalog kann nicht gelesen werden: %1</translation>
    </message>
    <message numerus="yes">
        <source>HTTP boot server listening on port %1 (%n thread(s))</source>
        <translation>
            <numerusform>HTTP-Bootserver lauscht auf Port %1 (%n Thread)</numerusform>
            <numerusform>HTTP-Bootserver lauscht auf Port %1 (%n Threads)</numerusform>
        </translation>
    </message>
    <message>
        <source>HTTP boot server stopped</source>
        <translation>HTTP-Bootserver beendet</translation>
    </message>
    <message>
        <source>HTTP: at most %1 connections, %2 per client address; open-file limit %3 (was %4, hard limit %5)</source>
        <translation>HTTP: höchstens %1 Verbindungen, %2 je Client-Adresse; Limit offener Dateien %3 (war %4, hartes Limit %5)</translation>
    </message>
</context>
<context>
    <name>drover::ImageModel</name>
    <message>
        <source>%1
manifest %2</source>
        <translation>%1
Manifest %2</translation>
    </message>
    <message>
        <source>Image</source>
        <translation>Image</translation>
    </message>
    <message>
        <source>Version</source>
        <translation>Version</translation>
    </message>
    <message>
        <source>Size</source>
        <translation>Größe</translation>
    </message>
    <message>
        <source>Created</source>
        <translation>Erstellt</translation>
    </message>
    <message>
        <source>Machines</source>
        <translation>Maschinen</translation>
    </message>
    <message>
        <source>Passed its test in a VM on %1: ready after %2 s
%3</source>
        <translation>Test in einer VM am %1 bestanden: bereit nach %2 s
%3</translation>
    </message>
    <message>
        <source>Failed its test in a VM on %1:
%2</source>
        <translation>Beim Test in einer VM am %1 durchgefallen:
%2</translation>
    </message>
    <message>
        <source>Not tested in a VM yet: Test in a VM in the menu, or drover image test %1</source>
        <translation>Noch nicht in einer VM getestet: „In einer VM testen“ im Menü oder drover image test %1</translation>
    </message>
    <message>
        <source>—</source>
        <translation>—</translation>
    </message>
    <message>
        <source>passed</source>
        <translation>bestanden</translation>
    </message>
    <message>
        <source>failed</source>
        <translation>durchgefallen</translation>
    </message>
    <message>
        <source>Tested</source>
        <translation>Getestet</translation>
    </message>
</context>
<context>
    <name>drover::ImagePanel</name>
    <message>
        <source>Drag an image onto machines in the fleet table to assign it</source>
        <translation>Ziehen Sie ein Image auf Maschinen in der Flottentabelle, um es zuzuweisen</translation>
    </message>
    <message>
        <source>Details</source>
        <translation>Details</translation>
    </message>
    <message>
        <source>Manifest, layers and recipe of the selected image</source>
        <translation>Manifest, Schichten und Rezept des ausgewählten Images</translation>
    </message>
    <message>
        <source>Import…</source>
        <translation>Importieren…</translation>
    </message>
    <message>
        <source>Import an image bundle (.tar); you can also drop one on the window</source>
        <translation>Ein Image-Bundle (.tar) importieren; Sie können es auch auf das Fenster ziehen</translation>
    </message>
    <message>
        <source>Export…</source>
        <translation>Exportieren…</translation>
    </message>
    <message>
        <source>Write the selected image to a bundle (.tar) for another lab or a USB stick</source>
        <translation>Das ausgewählte Image in ein Bundle (.tar) für ein anderes Labor oder einen USB-Stick schreiben</translation>
    </message>
    <message>
        <source>Verify</source>
        <translation>Prüfen</translation>
    </message>
    <message>
        <source>Re-hash every blob of the selected image (all images when none is selected)</source>
        <translation>Jeden Blob des ausgewählten Images neu hashen (alle Images, wenn keines ausgewählt ist)</translation>
    </message>
    <message>
        <source>Delete</source>
        <translation>Löschen</translation>
    </message>
    <message>
        <source>Delete the selected image; refused while machines use it</source>
        <translation>Das ausgewählte Image löschen; nicht möglich, solange Maschinen es verwenden</translation>
    </message>
    <message>
        <source>Clean Up…</source>
        <translation>Aufräumen…</translation>
    </message>
    <message>
        <source>Free the space of blobs no image uses any more</source>
        <translation>Den Speicherplatz von Blobs freigeben, die kein Image mehr verwendet</translation>
    </message>
    <message>
        <source>%1 of %2</source>
        <translation>%1 von %2</translation>
    </message>
    <message>
        <source>Another image operation is still running.</source>
        <translation>Ein anderer Image-Vorgang läuft noch.</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>Abbrechen</translation>
    </message>
    <message>
        <source>Import Image Bundle</source>
        <translation>Image-Bundle importieren</translation>
    </message>
    <message>
        <source>Image bundles (*.tar);;All files (*)</source>
        <translation>Image-Bundles (*.tar);;Alle Dateien (*)</translation>
    </message>
    <message>
        <source>Importing %1</source>
        <translation>%1 wird importiert</translation>
    </message>
    <message>
        <source>Imported %1 (%2)</source>
        <translation>%1 importiert (%2)</translation>
    </message>
    <message>
        <source>Select an image to export first.</source>
        <translation>Wählen Sie zuerst ein zu exportierendes Image aus.</translation>
    </message>
    <message>
        <source>Export %1</source>
        <translation>%1 exportieren</translation>
    </message>
    <message>
        <source>Image bundles (*.tar)</source>
        <translation>Image-Bundles (*.tar)</translation>
    </message>
    <message>
        <source>Exporting %1</source>
        <translation>%1 wird exportiert</translation>
    </message>
    <message>
        <source>Verifying all images</source>
        <translation>Alle Images werden geprüft</translation>
    </message>
    <message>
        <source>Verifying %1</source>
        <translation>%1 wird geprüft</translation>
    </message>
    <message numerus="yes">
        <source>All %n blob(s) of %1 are whole (%2).</source>
        <translation>
            <numerusform>%n Blob von %1 ist intakt (%2).</numerusform>
            <numerusform>Alle %n Blobs von %1 sind intakt (%2).</numerusform>
        </translation>
    </message>
    <message>
        <source>%1
    used by %2</source>
        <translation>%1
    verwendet von %2</translation>
    </message>
    <message numerus="yes">
        <source>%n blob(s) are corrupt or missing:

%1</source>
        <translation>
            <numerusform>%n Blob ist beschädigt oder fehlt:

%1</numerusform>
            <numerusform>%n Blobs sind beschädigt oder fehlen:

%1</numerusform>
        </translation>
    </message>
    <message>
        <source>Delete %1</source>
        <translation>%1 löschen</translation>
    </message>
    <message>
        <source>%1 cannot be deleted: it is in use by %2.</source>
        <translation>%1 kann nicht gelöscht werden: Es wird von %2 verwendet.</translation>
    </message>
    <message>
        <source>Delete the image %1? Its blobs are freed by the next clean up.</source>
        <translation>Das Image %1 löschen? Seine Blobs werden beim nächsten Aufräumen freigegeben.</translation>
    </message>
    <message>
        <source>Deleted %1</source>
        <translation>%1 gelöscht</translation>
    </message>
    <message>
        <source>Looking for unused blobs</source>
        <translation>Unbenutzte Blobs werden gesucht</translation>
    </message>
    <message>
        <source>Clean Up</source>
        <translation>Aufräumen</translation>
    </message>
    <message>
        <source>Nothing to free: every blob is used by an image.</source>
        <translation>Nichts freizugeben: Jeder Blob wird von einem Image verwendet.</translation>
    </message>
    <message numerus="yes">
        <source>Delete %n unused file(s) and free %1?</source>
        <translation>
            <numerusform>%n unbenutzte Datei löschen und %1 freigeben?</numerusform>
            <numerusform>%n unbenutzte Dateien löschen und %1 freigeben?</numerusform>
        </translation>
    </message>
    <message>
        <source>Cleaning up</source>
        <translation>Wird aufgeräumt</translation>
    </message>
    <message>
        <source>Details of %1</source>
        <translation>Details zu %1</translation>
    </message>
    <message>
        <source>Part</source>
        <translation>Teil</translation>
    </message>
    <message>
        <source>Digest</source>
        <translation>Digest</translation>
    </message>
    <message>
        <source>Size</source>
        <translation>Größe</translation>
    </message>
    <message>
        <source>Type</source>
        <translation>Typ</translation>
    </message>
    <message>
        <source>kernel</source>
        <translation>Kernel</translation>
    </message>
    <message>
        <source>initramfs</source>
        <translation>initramfs</translation>
    </message>
    <message>
        <source>layer (%1)</source>
        <translation>Schicht (%1)</translation>
    </message>
    <message>
        <source>Parts</source>
        <translation>Teile</translation>
    </message>
    <message>
        <source>Manifest</source>
        <translation>Manifest</translation>
    </message>
    <message>
        <source>(not built here: no recipe)</source>
        <translation>(nicht hier gebaut: kein Rezept)</translation>
    </message>
    <message>
        <source>Recipe</source>
        <translation>Rezept</translation>
    </message>
    <message>
        <source>New…</source>
        <translation>Neu…</translation>
    </message>
    <message>
        <source>Build a new image with the build wizard</source>
        <translation>Ein neues Image mit dem Build-Assistenten bauen</translation>
    </message>
    <message>
        <source>No images yet.

Build one with the build wizard: New… above, or Images › New Image… (Ctrl+Shift+N); or import an image bundle (.tar) from another lab: Import… or drop it here.</source>
        <translation>Noch keine Images.

Bauen Sie eines mit dem Build-Assistenten: Neu… oben oder Images › Neues Image… (Strg+Umschalt+N); oder importieren Sie ein Image-Bundle (.tar) aus einem anderen Labor: Importieren… oder hier ablegen.</translation>
    </message>
    <message>
        <source>New &amp;Version…</source>
        <translation>Neue &amp;Version…</translation>
    </message>
    <message>
        <source>Open the build wizard on this image&apos;s recipe, with the next version</source>
        <translation>Den Build-Assistenten mit dem Rezept dieses Images öffnen, mit der nächsten Version</translation>
    </message>
    <message>
        <source>&amp;New Image…</source>
        <translation>&amp;Neues Image…</translation>
    </message>
    <message>
        <source>&amp;Details</source>
        <translation>&amp;Details</translation>
    </message>
    <message>
        <source>&amp;Export…</source>
        <translation>&amp;Exportieren…</translation>
    </message>
    <message>
        <source>&amp;Verify</source>
        <translation>&amp;Prüfen</translation>
    </message>
    <message>
        <source>De&amp;lete</source>
        <translation>&amp;Löschen</translation>
    </message>
    <message>
        <source>&amp;Roll Out to a Group…</source>
        <translation>Auf eine &amp;Gruppe ausrollen…</translation>
    </message>
    <message>
        <source>&amp;Test in a VM</source>
        <translation>In einer VM &amp;testen</translation>
    </message>
    <message>
        <source>Boot this image in a throwaway virtual machine: does it reach ready?</source>
        <translation>Dieses Image in einer Wegwerf-VM booten: wird es bereit?</translation>
    </message>
    <message>
        <source>Add ISO…</source>
        <translation>ISO hinzufügen…</translation>
    </message>
    <message>
        <source>Add a bootable ISO; drag it from the list below onto machines to boot it</source>
        <translation>Ein startfähiges ISO hinzufügen; ziehen Sie es aus der Liste unten auf Rechner, um es zu starten</translation>
    </message>
    <message>
        <source>Add ISO</source>
        <translation>ISO hinzufügen</translation>
    </message>
    <message>
        <source>ISO images (*.iso *.ISO);;All files (*)</source>
        <translation>ISO-Abbilder (*.iso *.ISO);;Alle Dateien (*)</translation>
    </message>
    <message>
        <source>Adding %1</source>
        <translation>%1 wird hinzugefügt</translation>
    </message>
    <message>
        <source>Added the ISO %1 (%2): drag it from the boot targets onto machines to boot it</source>
        <translation>ISO %1 hinzugefügt (%2): ziehen Sie es aus den Startzielen auf Rechner, um es zu starten</translation>
    </message>
    <message>
        <source>Remove %1</source>
        <translation>%1 entfernen</translation>
    </message>
    <message>
        <source>Remove the ISO %1? Its bytes are freed by the next clean up.</source>
        <translation>Das ISO %1 entfernen? Seine Bytes werden beim nächsten Aufräumen freigegeben.</translation>
    </message>
    <message>
        <source>Removed the ISO %1</source>
        <translation>ISO %1 entfernt</translation>
    </message>
    <message>
        <source>Images</source>
        <translation>Abbilder</translation>
    </message>
    <message>
        <source>%1: done</source>
        <translation>%1: erledigt</translation>
    </message>
    <message>
        <source>%1: %2</source>
        <translation>%1: %2</translation>
    </message>
    <message>
        <source>Added the ISO %1 (%2)</source>
        <translation>ISO %1 hinzugefügt (%2)</translation>
    </message>
</context>
<context>
    <name>drover::Lab</name>
    <message>
        <source>cannot create the data directory %1</source>
        <translation>Das Datenverzeichnis %1 kann nicht erstellt werden</translation>
    </message>
    <message>
        <source>cannot make the data directory %1 private (mode 0700): %2</source>
        <translation>das Datenverzeichnis %1 kann nicht privat gemacht werden (Modus 0700): %2</translation>
    </message>
    <message>
        <source>the data directory %1 was open to other users (mode %2); now 0700</source>
        <translation>das Datenverzeichnis %1 war für andere Benutzer offen (Modus %2); jetzt 0700</translation>
    </message>
</context>
<context>
    <name>drover::LabelGroupModel</name>
    <message>
        <source>(no %1)</source>
        <translation>(ohne %1)</translation>
    </message>
    <message>
        <source>%1: %2</source>
        <translation>%1: %2</translation>
    </message>
    <message numerus="yes">
        <source>%n machine(s)</source>
        <translation>
            <numerusform>%n Maschine</numerusform>
            <numerusform>%n Maschinen</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n ready</source>
        <translation>
            <numerusform>%n bereit</numerusform>
            <numerusform>%n bereit</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n booting</source>
        <translation>
            <numerusform>%n bootet</numerusform>
            <numerusform>%n booten</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n failed</source>
        <translation>
            <numerusform>%n fehlgeschlagen</numerusform>
            <numerusform>%n fehlgeschlagen</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n offline</source>
        <translation>
            <numerusform>%n offline</numerusform>
            <numerusform>%n offline</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n unknown</source>
        <translation>
            <numerusform>%n unbekannt</numerusform>
            <numerusform>%n unbekannt</numerusform>
        </translation>
    </message>
    <message>
        <source>%1 — %2</source>
        <translation>%1 — %2</translation>
    </message>
    <message>
        <source>New: registered by their first boot, not yet named</source>
        <translation>Neu: beim ersten Boot registriert, noch nicht benannt</translation>
    </message>
</context>
<context>
    <name>drover::LogBus</name>
    <message>
        <source>debug</source>
        <translation>Debug</translation>
    </message>
    <message>
        <source>info</source>
        <translation>Info</translation>
    </message>
    <message>
        <source>warning</source>
        <translation>Warnung</translation>
    </message>
    <message>
        <source>error</source>
        <translation>Fehler</translation>
    </message>
</context>
<context>
    <name>drover::LogModel</name>
    <message>
        <source>Time</source>
        <translation>Zeit</translation>
    </message>
    <message>
        <source>Severity</source>
        <translation>Schweregrad</translation>
    </message>
    <message>
        <source>Source</source>
        <translation>Quelle</translation>
    </message>
    <message>
        <source>Machine</source>
        <translation>Maschine</translation>
    </message>
    <message>
        <source>Phase</source>
        <translation>Phase</translation>
    </message>
    <message>
        <source>Message</source>
        <translation>Meldung</translation>
    </message>
</context>
<context>
    <name>drover::LogView</name>
    <message>
        <source>Filter by machine, phase or text</source>
        <translation>Nach Maschine, Phase oder Text filtern</translation>
    </message>
    <message>
        <source>All messages</source>
        <translation>Alle Meldungen</translation>
    </message>
    <message>
        <source>Info and above</source>
        <translation>Info und höher</translation>
    </message>
    <message>
        <source>Warnings and errors</source>
        <translation>Warnungen und Fehler</translation>
    </message>
    <message>
        <source>Errors only</source>
        <translation>Nur Fehler</translation>
    </message>
    <message>
        <source>Minimum severity shown</source>
        <translation>Mindest-Schweregrad der Anzeige</translation>
    </message>
    <message>
        <source>Export…</source>
        <translation>Exportieren…</translation>
    </message>
    <message>
        <source>Save the messages shown to a text file</source>
        <translation>Die angezeigten Meldungen in einer Textdatei speichern</translation>
    </message>
    <message>
        <source>Nothing logged yet. Boot steps, build steps and server events appear here as they happen.</source>
        <translation>Noch nichts protokolliert. Boot-Schritte, Build-Schritte und Server-Ereignisse erscheinen hier, sobald sie auftreten.</translation>
    </message>
    <message>
        <source>Export log</source>
        <translation>Protokoll exportieren</translation>
    </message>
    <message>
        <source>Text files (*.txt);;All files (*)</source>
        <translation>Textdateien (*.txt);;Alle Dateien (*)</translation>
    </message>
    <message>
        <source>Cannot write %1: %2</source>
        <translation>%1 kann nicht geschrieben werden: %2</translation>
    </message>
    <message>
        <source>All phases</source>
        <translation>Alle Phasen</translation>
    </message>
    <message>
        <source>Only this boot phase</source>
        <translation>Nur diese Bootphase</translation>
    </message>
    <message>
        <source>Any time</source>
        <translation>Jederzeit</translation>
    </message>
    <message>
        <source>Last 15 minutes</source>
        <translation>Letzte 15 Minuten</translation>
    </message>
    <message>
        <source>Last hour</source>
        <translation>Letzte Stunde</translation>
    </message>
    <message>
        <source>Last 24 hours</source>
        <translation>Letzte 24 Stunden</translation>
    </message>
    <message>
        <source>Only messages this recent (from when the choice was made)</source>
        <translation>Nur so junge Meldungen (ab dem Zeitpunkt der Auswahl)</translation>
    </message>
    <message>
        <source>&amp;Selected machines</source>
        <translation>&amp;Ausgewählte Maschinen</translation>
    </message>
    <message>
        <source>Only the messages about the machines selected in the fleet table</source>
        <translation>Nur die Meldungen zu den in der Flottentabelle ausgewählten Maschinen</translation>
    </message>
    <message>
        <source>Log</source>
        <translation>Protokoll</translation>
    </message>
    <message>
        <source>Log filter</source>
        <translation>Protokollfilter</translation>
    </message>
    <message>
        <source>Minimum severity</source>
        <translation>Mindestschweregrad</translation>
    </message>
    <message>
        <source>Boot phase</source>
        <translation>Bootphase</translation>
    </message>
    <message>
        <source>Time</source>
        <translation>Zeit</translation>
    </message>
</context>
<context>
    <name>drover::MachineDetails</name>
    <message>
        <source>Phase</source>
        <translation>Phase</translation>
    </message>
    <message>
        <source>At</source>
        <translation>Zeitpunkt</translation>
    </message>
    <message>
        <source>Took</source>
        <translation>Dauer</translation>
    </message>
    <message>
        <source>Detail</source>
        <translation>Detail</translation>
    </message>
    <message>
        <source>When</source>
        <translation>Wann</translation>
    </message>
    <message>
        <source>Image</source>
        <translation>Image</translation>
    </message>
    <message>
        <source>Who</source>
        <translation>Wer</translation>
    </message>
    <message>
        <source>Why</source>
        <translation>Begründung</translation>
    </message>
    <message>
        <source>Last boot</source>
        <translation>Letzter Bootvorgang</translation>
    </message>
    <message>
        <source>History</source>
        <translation>Verlauf</translation>
    </message>
    <message>
        <source>Select a machine in the fleet table to see its boots and history.</source>
        <translation>Wählen Sie eine Maschine in der Flottentabelle aus, um ihre Bootvorgänge und ihren Verlauf zu sehen.</translation>
    </message>
    <message>
        <source>nothing is assigned: it boots nothing until an image is assigned to it, its group or the default</source>
        <translation>nichts zugewiesen: sie bootet nichts, bis ihr, ihrer Gruppe oder als Standard ein Image zugewiesen wird</translation>
    </message>
    <message>
        <source>%1, its own assignment</source>
        <translation>%1, eigene Zuweisung</translation>
    </message>
    <message>
        <source>%1, from group %2</source>
        <translation>%1, von Gruppe %2</translation>
    </message>
    <message>
        <source>%1, the default image</source>
        <translation>%1, das Standard-Image</translation>
    </message>
    <message>
        <source>&lt;b&gt;%1&lt;/b&gt; — %2</source>
        <translation>&lt;b&gt;%1&lt;/b&gt; — %2</translation>
    </message>
    <message>
        <source>Vendor: %1</source>
        <translation>Hersteller: %1</translation>
    </message>
    <message>
        <source>Next boot: %1</source>
        <translation>Nächster Bootvorgang: %1</translation>
    </message>
    <message>
        <source>Last known good: %1</source>
        <translation>Zuletzt funktionierend: %1</translation>
    </message>
    <message>
        <source>Failed boots in a row: %1</source>
        <translation>Fehlgeschlagene Bootvorgänge in Folge: %1</translation>
    </message>
    <message>
        <source>+%1 s</source>
        <translation>+%1 s</translation>
    </message>
    <message>
        <source>%1 s</source>
        <translation>%1 s</translation>
    </message>
    <message>
        <source>Configuration</source>
        <translation>Konfiguration</translation>
    </message>
    <message>
        <source>Firmware: %1</source>
        <translation>Firmware: %1</translation>
    </message>
    <message>
        <source>Boots by: %1</source>
        <translation>Startet über: %1</translation>
    </message>
    <message>
        <source>Hardware</source>
        <translation>Hardware</translation>
    </message>
    <message>
        <source>Tests</source>
        <translation>Tests</translation>
    </message>
    <message>
        <source>&lt;b&gt;Burn-in failed&lt;/b&gt;: no rollout reaches it until the failure is cleared (Tests tab)</source>
        <translation>&lt;b&gt;Burn-in fehlgeschlagen&lt;/b&gt;: kein Rollout erreicht sie, bis der Fehler aufgehoben ist (Reiter Tests)</translation>
    </message>
    <message>
        <source>Last boot&apos;s phases</source>
        <translation>Phasen des letzten Boots</translation>
    </message>
    <message>
        <source>Assignment history</source>
        <translation>Zuweisungsverlauf</translation>
    </message>
</context>
<context>
    <name>drover::MainWindow</name>
    <message>
        <source>Drover</source>
        <translation>Drover</translation>
    </message>
    <message>
        <source>Images</source>
        <translation>Images</translation>
    </message>
    <message>
        <source>Server</source>
        <translation>Server</translation>
    </message>
    <message>
        <source>Log</source>
        <translation>Protokoll</translation>
    </message>
    <message>
        <source>Data in %1</source>
        <translation>Daten in %1</translation>
    </message>
    <message>
        <source>&amp;File</source>
        <translation>&amp;Datei</translation>
    </message>
    <message>
        <source>&amp;Quit</source>
        <translation>&amp;Beenden</translation>
    </message>
    <message>
        <source>&amp;Machines</source>
        <translation>&amp;Maschinen</translation>
    </message>
    <message>
        <source>&amp;Add Machine…</source>
        <translation>Maschine &amp;hinzufügen…</translation>
    </message>
    <message>
        <source>Add a machine by its MAC address</source>
        <translation>Eine Maschine über ihre MAC-Adresse hinzufügen</translation>
    </message>
    <message>
        <source>&amp;Remove Selected</source>
        <translation>Ausgewählte &amp;entfernen</translation>
    </message>
    <message>
        <source>&amp;Find…</source>
        <translation>&amp;Suchen…</translation>
    </message>
    <message>
        <source>&amp;View</source>
        <translation>&amp;Ansicht</translation>
    </message>
    <message>
        <source>&amp;Reset Layout</source>
        <translation>Layout &amp;zurücksetzen</translation>
    </message>
    <message>
        <source>&amp;Help</source>
        <translation>&amp;Hilfe</translation>
    </message>
    <message>
        <source>&amp;About Drover</source>
        <translation>&amp;Über Drover</translation>
    </message>
    <message>
        <source>About &amp;Qt</source>
        <translation>Über &amp;Qt</translation>
    </message>
    <message>
        <source>Added machine %1</source>
        <translation>Maschine %1 hinzugefügt</translation>
    </message>
    <message>
        <source>Remove Machines</source>
        <translation>Maschinen entfernen</translation>
    </message>
    <message numerus="yes">
        <source>Remove %n machine(s) from the catalog? Their boot history stays in the log.</source>
        <translation>
            <numerusform>%n Maschine aus dem Katalog entfernen? Der Boot-Verlauf bleibt im Protokoll erhalten.</numerusform>
            <numerusform>%n Maschinen aus dem Katalog entfernen? Der Boot-Verlauf bleibt im Protokoll erhalten.</numerusform>
        </translation>
    </message>
    <message>
        <source>About Drover</source>
        <translation>Über Drover</translation>
    </message>
    <message>
        <source>&lt;h3&gt;Drover %1&lt;/h3&gt;&lt;p&gt;Stateless machines for small labs: every machine network-boots an image chosen at boot time, runs it from RAM and keeps nothing. Upgrading is assigning a new image; rolling back is assigning the old one.&lt;/p&gt;</source>
        <translation>&lt;h3&gt;Drover %1&lt;/h3&gt;&lt;p&gt;Zustandslose Maschinen für kleine Labore: Jede Maschine bootet per Netzwerk ein beim Booten gewähltes Image, führt es aus dem RAM aus und behält nichts. Ein Upgrade ist die Zuweisung eines neuen Images, ein Rollback die Zuweisung des alten.&lt;/p&gt;</translation>
    </message>
    <message>
        <source>Machine</source>
        <translation>Maschine</translation>
    </message>
    <message>
        <source>Re&amp;move…</source>
        <translation>Ent&amp;fernen…</translation>
    </message>
    <message>
        <source>&amp;Edit</source>
        <translation>&amp;Bearbeiten</translation>
    </message>
    <message>
        <source>&amp;Undo</source>
        <translation>&amp;Rückgängig</translation>
    </message>
    <message>
        <source>&amp;Redo</source>
        <translation>&amp;Wiederherstellen</translation>
    </message>
    <message>
        <source>&amp;Images</source>
        <translation>&amp;Images</translation>
    </message>
    <message>
        <source>&amp;New Image…</source>
        <translation>&amp;Neues Image…</translation>
    </message>
    <message>
        <source>Build an image from a template, an image&apos;s recipe or a recipe file</source>
        <translation>Ein Image aus einer Vorlage, dem Rezept eines Images oder einer Rezeptdatei bauen</translation>
    </message>
    <message>
        <source>New &amp;Version of Selected…</source>
        <translation>Neue &amp;Version des ausgewählten Images…</translation>
    </message>
    <message>
        <source>Select an image to make its next version.</source>
        <translation>Wählen Sie ein Image aus, um seine nächste Version zu erstellen.</translation>
    </message>
    <message>
        <source>Built %1</source>
        <translation>Gebaut: %1</translation>
    </message>
    <message>
        <source>Rollout of %1 started: the boot server moves it along</source>
        <translation>Rollout von %1 gestartet: der Bootserver führt ihn weiter</translation>
    </message>
    <message>
        <source>Open &amp;Console</source>
        <translation>&amp;Konsole öffnen</translation>
    </message>
    <message>
        <source>The serial console of a virtual machine</source>
        <translation>Die serielle Konsole einer virtuellen Maschine</translation>
    </message>
    <message>
        <source>Add &amp;Virtual Machines…</source>
        <translation>&amp;Virtuelle Maschinen hinzufügen…</translation>
    </message>
    <message>
        <source>qemu machines on this computer that netboot from Drover: a lab without hardware</source>
        <translation>qemu-Maschinen auf diesem Rechner, die per Netzwerk von Drover booten: ein Labor ohne Hardware</translation>
    </message>
    <message>
        <source>Added %1: they start now and netboot from this Drover</source>
        <translation>%1 hinzugefügt: sie starten jetzt und booten per Netzwerk von diesem Drover</translation>
    </message>
    <message>
        <source>Added %1: they start when the boot server starts (Server area)</source>
        <translation>%1 hinzugefügt: sie starten, wenn der Boot-Server startet (Bereich Server)</translation>
    </message>
    <message>
        <source>An image test is running already</source>
        <translation>Ein Image-Test läuft bereits</translation>
    </message>
    <message>
        <source>Testing %1: %2</source>
        <translation>Teste %1: %2</translation>
    </message>
    <message>
        <source>%1 passed: ready after %2 s.</source>
        <translation>%1 bestanden: bereit nach %2 s.</translation>
    </message>
    <message>
        <source>%1 failed after %2 s: %3</source>
        <translation>%1 fehlgeschlagen nach %2 s: %3</translation>
    </message>
    <message>
        <source>Test in a VM</source>
        <translation>In einer VM testen</translation>
    </message>
    <message>
        <source>Testing %1 in a virtual machine…</source>
        <translation>Teste %1 in einer virtuellen Maschine…</translation>
    </message>
    <message>
        <source>started a rollout of %1</source>
        <translation>hat eine Verteilung von %1 gestartet</translation>
    </message>
    <message>
        <source>Boot Server</source>
        <translation>Boot-Server</translation>
    </message>
    <message>
        <source>%1: %2</source>
        <translation>%1: %2</translation>
    </message>
    <message>
        <source>undid: %1</source>
        <translation>rückgängig gemacht: %1</translation>
    </message>
    <message>
        <source>redid: %1</source>
        <translation>wiederholt: %1</translation>
    </message>
    <message>
        <source>&amp;Server</source>
        <translation>&amp;Server</translation>
    </message>
    <message>
        <source>Start or Stop &amp;Serving</source>
        <translation>Bereitstellung &amp;starten oder stoppen</translation>
    </message>
    <message>
        <source>Start the boot server with the Server panel&apos;s settings, or stop it</source>
        <translation>Startet den Boot-Server mit den Einstellungen der Server-Ansicht oder stoppt ihn</translation>
    </message>
    <message>
        <source>Server &amp;Settings…</source>
        <translation>Server-&amp;Einstellungen…</translation>
    </message>
    <message>
        <source>added the machine %1</source>
        <translation>hat die Maschine %1 hinzugefügt</translation>
    </message>
    <message>
        <source>removing %1: %2</source>
        <translation>%1 entfernen: %2</translation>
    </message>
    <message>
        <source>removed the machine %1</source>
        <translation>hat die Maschine %1 entfernt</translation>
    </message>
    <message>
        <source>added the virtual machines %1</source>
        <translation>hat die virtuellen Maschinen %1 hinzugefügt</translation>
    </message>
    <message>
        <source>starting the boot server: %1</source>
        <translation>Boot-Server starten: %1</translation>
    </message>
    <message>
        <source>started the boot server (%1)</source>
        <translation>hat den Boot-Server gestartet (%1)</translation>
    </message>
    <message>
        <source>stopped the boot server</source>
        <translation>hat den Boot-Server gestoppt</translation>
    </message>
</context>
<context>
    <name>drover::NamingDialog</name>
    <message numerus="yes">
        <source>Name %n Machine(s)</source>
        <translation>
            <numerusform>%n Maschine benennen</numerusform>
            <numerusform>%n Maschinen benennen</numerusform>
        </translation>
    </message>
    <message>
        <source>{n} is the number, {n:02} the number with two digits: lab-{n:02} names the machines lab-01, lab-02, … in the order shown</source>
        <translation>{n} ist die Nummer, {n:02} die Nummer mit zwei Stellen: lab-{n:02} benennt die Maschinen lab-01, lab-02, … in der gezeigten Reihenfolge</translation>
    </message>
    <message>
        <source>The number of the first machine</source>
        <translation>Die Nummer der ersten Maschine</translation>
    </message>
    <message>
        <source>e.g. group=room-b, rack=2</source>
        <translation>z. B. group=raum-b, rack=2</translation>
    </message>
    <message>
        <source>Labels every named machine gets, as KEY=VALUE separated by commas; group=NAME puts them in a group</source>
        <translation>Labels, die jede benannte Maschine bekommt, als SCHLÜSSEL=WERT durch Kommas getrennt; group=NAME setzt sie in eine Gruppe</translation>
    </message>
    <message>
        <source>Now</source>
        <translation>Jetzt</translation>
    </message>
    <message>
        <source>Will be</source>
        <translation>Wird</translation>
    </message>
    <message>
        <source>Preview of the new names</source>
        <translation>Vorschau der neuen Namen</translation>
    </message>
    <message>
        <source>&amp;Name Machines</source>
        <translation>Maschinen &amp;benennen</translation>
    </message>
    <message>
        <source>&amp;Pattern:</source>
        <translation>&amp;Muster:</translation>
    </message>
    <message>
        <source>&amp;First number:</source>
        <translation>&amp;Erste Nummer:</translation>
    </message>
    <message>
        <source>&amp;Labels:</source>
        <translation>&amp;Labels:</translation>
    </message>
    <message>
        <source>&apos;%1&apos; is not KEY=VALUE</source>
        <translation>„%1“ ist nicht SCHLÜSSEL=WERT</translation>
    </message>
    <message>
        <source>a machine named %1 exists already: choose another pattern or first number</source>
        <translation>eine Maschine namens %1 gibt es schon: wählen Sie ein anderes Muster oder eine andere erste Nummer</translation>
    </message>
</context>
<context>
    <name>drover::PackageModel</name>
    <message>
        <source>Package</source>
        <translation>Paket</translation>
    </message>
    <message>
        <source>Installed</source>
        <translation>Installiert</translation>
    </message>
    <message>
        <source>Description</source>
        <translation>Beschreibung</translation>
    </message>
</context>
<context>
    <name>drover::PackagesPage</name>
    <message>
        <source>Packages</source>
        <translation>Pakete</translation>
    </message>
    <message>
        <source>Installed on top of Debian&apos;s essential set, with their dependencies (not their recommends).</source>
        <translation>Zusätzlich zu Debians Essential-Paketen installiert, samt Abhängigkeiten (ohne deren Empfehlungen).</translation>
    </message>
    <message>
        <source>Search packages by name or description</source>
        <translation>Pakete nach Name oder Beschreibung suchen</translation>
    </message>
    <message>
        <source>Every word must appear in the name or the description; empty shows the chosen packages</source>
        <translation>Jedes Wort muss im Namen oder in der Beschreibung vorkommen; leer zeigt die gewählten Pakete</translation>
    </message>
    <message>
        <source>Tick a package to install it (Space ticks the selected one)</source>
        <translation>Ein Paket ankreuzen, um es zu installieren (die Leertaste kreuzt das ausgewählte an)</translation>
    </message>
    <message>
        <source>Package names separated by spaces or lines; NAME=VERSION pins a version</source>
        <translation>Paketnamen, durch Leerzeichen oder Zeilen getrennt; NAME=VERSION legt eine Version fest</translation>
    </message>
    <message>
        <source>Packages that must not be installed, separated by spaces</source>
        <translation>Pakete, die nicht installiert werden dürfen, durch Leerzeichen getrennt</translation>
    </message>
    <message>
        <source>&amp;Packages:</source>
        <translation>&amp;Pakete:</translation>
    </message>
    <message>
        <source>E&amp;xclude:</source>
        <translation>&amp;Ausschließen:</translation>
    </message>
    <message>
        <source>Reading the package lists apt knows…</source>
        <translation>Die Paketlisten von apt werden gelesen…</translation>
    </message>
    <message numerus="yes">
        <source>%1 of %n package(s) shown.</source>
        <translation>
            <numerusform>%1 von %n Paket angezeigt.</numerusform>
            <numerusform>%1 von %n Paketen angezeigt.</numerusform>
        </translation>
    </message>
    <message>
        <source>Not in the package lists of %1: %2</source>
        <translation>Nicht in den Paketlisten von %1: %2</translation>
    </message>
</context>
<context>
    <name>drover::PowerActions</name>
    <message>
        <source>&amp;Power</source>
        <translation>&amp;Stromsteuerung</translation>
    </message>
    <message>
        <source>Power &amp;On</source>
        <translation>&amp;Einschalten</translation>
    </message>
    <message>
        <source>Switch the machines on by their power method (Machines → Power settings)</source>
        <translation>Die Maschinen über ihre Stromsteuerung einschalten (Maschinen → Einstellungen der Stromsteuerung)</translation>
    </message>
    <message>
        <source>&amp;Wake-on-LAN</source>
        <translation>&amp;Wake-on-LAN</translation>
    </message>
    <message>
        <source>Send each machine&apos;s network card a Wake-on-LAN packet</source>
        <translation>Der Netzwerkkarte jeder Maschine ein Wake-on-LAN-Paket senden</translation>
    </message>
    <message>
        <source>Power C&amp;ycle</source>
        <translation>&amp;Aus- und einschalten</translation>
    </message>
    <message>
        <source>Reset the machines: they boot again and get their assigned image</source>
        <translation>Die Maschinen zurücksetzen: sie booten neu und erhalten ihr zugewiesenes Image</translation>
    </message>
    <message>
        <source>Power O&amp;ff</source>
        <translation>Aus&amp;schalten</translation>
    </message>
    <message>
        <source>Switch the machines off at once, as pulling the plug would</source>
        <translation>Die Maschinen sofort ausschalten, als würde man den Stecker ziehen</translation>
    </message>
    <message>
        <source>Power &amp;Status</source>
        <translation>&amp;Zustand abfragen</translation>
    </message>
    <message>
        <source>Ask each machine&apos;s power method whether it is on</source>
        <translation>Die Stromsteuerung jeder Maschine fragen, ob sie eingeschaltet ist</translation>
    </message>
    <message numerus="yes">
        <source>%1 and %n more</source>
        <translation>
            <numerusform>%1 und %n weitere</numerusform>
            <numerusform>%1 und %n weitere</numerusform>
        </translation>
    </message>
    <message>
        <source>Switch off %1? Anything not saved on them is lost.</source>
        <translation>%1 ausschalten? Alles, was darauf nicht gespeichert ist, geht verloren.</translation>
    </message>
    <message>
        <source>Power-cycle %1? They restart at once and boot their assigned image.</source>
        <translation>%1 aus- und wieder einschalten? Die Maschinen starten sofort neu und booten ihr zugewiesenes Image.</translation>
    </message>
    <message>
        <source>Power</source>
        <translation>Stromsteuerung</translation>
    </message>
    <message>
        <source>%1 is no longer in the catalog</source>
        <translation>%1 ist nicht mehr im Katalog</translation>
    </message>
    <message>
        <source>%1: %2 (%3)</source>
        <translation>%1: %2 (%3)</translation>
    </message>
</context>
<context>
    <name>drover::ReviewPage</name>
    <message>
        <source>Review</source>
        <translation>Übersicht</translation>
    </message>
    <message>
        <source>The recipe as it will be saved. Build starts the build; Back changes the recipe.</source>
        <translation>Das Rezept, wie es gespeichert wird. „Bauen“ startet den Build; „Zurück“ ändert das Rezept.</translation>
    </message>
    <message>
        <source>&amp;Build</source>
        <translation>&amp;Bauen</translation>
    </message>
    <message>
        <source>Saved as recipe.json with its files and scripts; drover build can build it too</source>
        <translation>Wird als recipe.json mit seinen Dateien und Skripten gespeichert; drover build kann es ebenfalls bauen</translation>
    </message>
    <message>
        <source>Field</source>
        <translation>Feld</translation>
    </message>
    <message>
        <source>Problem</source>
        <translation>Problem</translation>
    </message>
    <message>
        <source>What the recipe&apos;s validator found; go Back to the page with the field</source>
        <translation>Was die Prüfung des Rezepts gefunden hat; gehen Sie „Zurück“ zur Seite mit dem Feld</translation>
    </message>
    <message>
        <source>Estimating the size from the package lists…</source>
        <translation>Die Größe wird anhand der Paketlisten geschätzt…</translation>
    </message>
    <message>
        <source>No size estimate: %1</source>
        <translation>Keine Größenschätzung: %1</translation>
    </message>
    <message numerus="yes">
        <source>Estimate: %n package(s) with dependencies and Debian&apos;s essential set, %1 installed; the image machines download is very roughly %2 (pruning and compression vary).</source>
        <translation>
            <numerusform>Schätzung: %n Paket samt Abhängigkeiten und Debians Essential-Paketen, %1 installiert; das Image, das Maschinen herunterladen, ist sehr grob %2 (Bereinigung und Kompression variieren).</numerusform>
            <numerusform>Schätzung: %n Pakete samt Abhängigkeiten und Debians Essential-Paketen, %1 installiert; das Image, das Maschinen herunterladen, ist sehr grob %2 (Bereinigung und Kompression variieren).</numerusform>
        </translation>
    </message>
    <message>
        <source>Not in the package lists of %1: %2.</source>
        <translation>Nicht in den Paketlisten von %1: %2.</translation>
    </message>
</context>
<context>
    <name>drover::RolloutBanner</name>
    <message>
        <source>Abort Rollout</source>
        <translation>Rollout abbrechen</translation>
    </message>
    <message>
        <source>Abort the rollout to %1? Every machine it changed gets its previous image back at its next boot.</source>
        <translation>Den Rollout auf %1 abbrechen? Jede Maschine, die er geändert hat, erhält beim nächsten Booten ihr vorheriges Image zurück.</translation>
    </message>
    <message>
        <source>%1 rolling out %2 to %3 — wave %4 of %5, %6 of %7 machines done, %8 failed</source>
        <translation>%1 %2 wird auf %3 ausgerollt — Welle %4 von %5, %6 von %7 Maschinen fertig, %8 fehlgeschlagen</translation>
    </message>
    <message>
        <source>Paused:</source>
        <translation>Pausiert:</translation>
    </message>
    <message>
        <source>Rollout:</source>
        <translation>Rollout:</translation>
    </message>
    <message>
        <source>%v/%m</source>
        <translation>%v/%m</translation>
    </message>
    <message>
        <source>&amp;Resume</source>
        <translation>&amp;Fortsetzen</translation>
    </message>
    <message>
        <source>&amp;Pause</source>
        <translation>&amp;Pausieren</translation>
    </message>
    <message>
        <source>Continue with the next machines</source>
        <translation>Mit den nächsten Maschinen fortfahren</translation>
    </message>
    <message>
        <source>Assign no further machines for now</source>
        <translation>Vorerst keine weiteren Maschinen zuweisen</translation>
    </message>
    <message>
        <source>&amp;Abort…</source>
        <translation>&amp;Abbrechen…</translation>
    </message>
    <message>
        <source>Stop and give every machine the rollout changed its previous image back</source>
        <translation>Stoppen und jeder vom Rollout geänderten Maschine ihr vorheriges Image zurückgeben</translation>
    </message>
    <message>
        <source>paused</source>
        <translation>pausiert</translation>
    </message>
    <message>
        <source>resumed</source>
        <translation>fortgesetzt</translation>
    </message>
    <message>
        <source>aborted; machines get their previous image back</source>
        <translation>abgebrochen; Maschinen erhalten ihr vorheriges Image zurück</translation>
    </message>
    <message>
        <source>Rollout to %1 %2</source>
        <translation>Rollout auf %1 %2</translation>
    </message>
    <message>
        <source>rollout to %1 %2</source>
        <translation>Verteilung an %1 %2</translation>
    </message>
</context>
<context>
    <name>drover::RolloutDialog</name>
    <message>
        <source>Power-cycle each machine when it gets the image</source>
        <translation>Jede Maschine aus- und wieder einschalten, wenn sie das Image erhält</translation>
    </message>
    <message>
        <source>Roll Out %1</source>
        <translation>%1 ausrollen</translation>
    </message>
    <message>
        <source>Machines that get the image first, alone: a number (1) or a share of the group (10%)</source>
        <translation>Maschinen, die das Image zuerst allein erhalten: eine Anzahl (1) oder ein Anteil der Gruppe (10%)</translation>
    </message>
    <message>
        <source>Machines per wave after the canaries: a number or a share of the group</source>
        <translation>Maschinen pro Welle nach den Canary-Maschinen: eine Anzahl oder ein Anteil der Gruppe</translation>
    </message>
    <message>
        <source>How long each wave must stay ready before the next starts: 90s, 5m, 1h</source>
        <translation>Wie lange jede Welle bereit bleiben muss, bevor die nächste beginnt: 90s, 5m, 1h</translation>
    </message>
    <message>
        <source>More failed machines than this stop the rollout and give every machine it touched its previous image back</source>
        <translation>Mehr fehlgeschlagene Maschinen als diese Zahl stoppen den Rollout und geben jeder betroffenen Maschine ihr vorheriges Image zurück</translation>
    </message>
    <message>
        <source>Without it, machines get the image at their next reboot, whenever that is</source>
        <translation>Ohne diese Option erhalten Maschinen das Image beim nächsten Neustart, wann immer dieser erfolgt</translation>
    </message>
    <message>
        <source>&amp;Group:</source>
        <translation>&amp;Gruppe:</translation>
    </message>
    <message>
        <source>&amp;Canaries:</source>
        <translation>&amp;Canary-Maschinen:</translation>
    </message>
    <message>
        <source>&amp;Wave size:</source>
        <translation>&amp;Wellengröße:</translation>
    </message>
    <message>
        <source>&amp;Bake time:</source>
        <translation>&amp;Bewährungszeit:</translation>
    </message>
    <message>
        <source>&amp;Stop after failures:</source>
        <translation>Stopp nach &amp;Fehlschlägen:</translation>
    </message>
    <message>
        <source>&amp;Start Rollout</source>
        <translation>Rollout &amp;starten</translation>
    </message>
    <message>
        <source>No machine is in a group yet: give machines the label group=NAME first.</source>
        <translation>Noch keine Maschine ist in einer Gruppe: geben Sie Maschinen zuerst das Label group=NAME.</translation>
    </message>
    <message>
        <source>Canaries</source>
        <translation>Canary-Maschinen</translation>
    </message>
    <message>
        <source>Wave size</source>
        <translation>Wellengröße</translation>
    </message>
    <message>
        <source>Bake time</source>
        <translation>Bewährungszeit</translation>
    </message>
    <message>
        <source>Test the image in a VM first (not tested yet: the boot server boots it once)</source>
        <translation>Das Image zuerst in einer VM testen (noch nicht getestet: der Boot-Server bootet es einmal)</translation>
    </message>
    <message>
        <source>No machine gets the image before it reached ready in a throwaway virtual machine booted through this Drover; a failed test stops the rollout before any machine</source>
        <translation>Keine Maschine bekommt das Image, bevor es in einer Wegwerf-VM, über dieses Drover gebootet, bereit war; ein durchgefallener Test hält den Rollout vor jeder Maschine an</translation>
    </message>
    <message>
        <source>Test with UEFI firmware (OVMF), as UEFI machines boot</source>
        <translation>Mit UEFI-Firmware (OVMF) testen, wie UEFI-Maschinen booten</translation>
    </message>
    <message>
        <source>Require a passing test in a VM (passed on %1 with %2)</source>
        <translation>Einen bestandenen Test in einer VM verlangen (bestanden am %1 mit %2)</translation>
    </message>
    <message>
        <source>Require a passing test in a VM (failed on %1 with %2: the rollout would stop)</source>
        <translation>Einen bestandenen Test in einer VM verlangen (durchgefallen am %1 mit %2: der Rollout würde anhalten)</translation>
    </message>
    <message>
        <source>A verdict counts for the firmware it was reached with; the other one tests again</source>
        <translation>Ein Urteil gilt für die Firmware, mit der es erreicht wurde; mit der anderen wird erneut getestet</translation>
    </message>
</context>
<context>
    <name>drover::ServerPanel</name>
    <message>
        <source>Data directory:</source>
        <translation>Datenverzeichnis:</translation>
    </message>
    <message>
        <source>Catalog:</source>
        <translation>Katalog:</translation>
    </message>
    <message>
        <source>PostgreSQL, %1</source>
        <translation>PostgreSQL, %1</translation>
    </message>
    <message>
        <source>SQLite, %1</source>
        <translation>SQLite, %1</translation>
    </message>
    <message>
        <source>Schema version:</source>
        <translation>Schemaversion:</translation>
    </message>
    <message>
        <source>Image store:</source>
        <translation>Image-Speicher:</translation>
    </message>
    <message>
        <source>Boot server</source>
        <translation>Bootserver</translation>
    </message>
    <message>
        <source>Proxy — beside the lab&apos;s DHCP server</source>
        <translation>Proxy — neben dem DHCP-Server des Labors</translation>
    </message>
    <message>
        <source>Full — Drover hands out addresses</source>
        <translation>Voll — Drover vergibt Adressen</translation>
    </message>
    <message>
        <source>Off — the lab&apos;s DHCP server points at Drover</source>
        <translation>Aus — der DHCP-Server des Labors verweist auf Drover</translation>
    </message>
    <message>
        <source>DHCP:</source>
        <translation>DHCP:</translation>
    </message>
    <message>
        <source>Refresh</source>
        <translation>Aktualisieren</translation>
    </message>
    <message>
        <source>Read the host&apos;s network interfaces again</source>
        <translation>Die Netzwerkschnittstellen des Hosts neu einlesen</translation>
    </message>
    <message>
        <source>Interface:</source>
        <translation>Schnittstelle:</translation>
    </message>
    <message>
        <source>HTTP port:</source>
        <translation>HTTP-Port:</translation>
    </message>
    <message>
        <source>TFTP port:</source>
        <translation>TFTP-Port:</translation>
    </message>
    <message>
        <source>Ignore them</source>
        <translation>Ignorieren</translation>
    </message>
    <message>
        <source>Register them and boot the default image</source>
        <translation>Registrieren und das Standard-Image booten</translation>
    </message>
    <message>
        <source>Machines the catalog does not know yet. Shared by everyone using this catalog.</source>
        <translation>Maschinen, die der Katalog noch nicht kennt. Gilt für alle, die diesen Katalog verwenden.</translation>
    </message>
    <message>
        <source>Unknown machines:</source>
        <translation>Unbekannte Maschinen:</translation>
    </message>
    <message>
        <source>none</source>
        <translation>keiner</translation>
    </message>
    <message>
        <source>First address:</source>
        <translation>Erste Adresse:</translation>
    </message>
    <message>
        <source>Last address:</source>
        <translation>Letzte Adresse:</translation>
    </message>
    <message>
        <source>Netmask:</source>
        <translation>Netzmaske:</translation>
    </message>
    <message>
        <source>Router:</source>
        <translation>Router:</translation>
    </message>
    <message>
        <source>Services</source>
        <translation>Dienste</translation>
    </message>
    <message>
        <source>DHCP</source>
        <translation>DHCP</translation>
    </message>
    <message>
        <source>TFTP</source>
        <translation>TFTP</translation>
    </message>
    <message>
        <source>HTTP</source>
        <translation>HTTP</translation>
    </message>
    <message>
        <source>Data</source>
        <translation>Daten</translation>
    </message>
    <message>
        <source>Running. Machines chain-load http://&lt;this host&gt;:%1/boot.ipxe</source>
        <translation>Läuft. Maschinen laden per Chainload http://&lt;dieser Host&gt;:%1/boot.ipxe</translation>
    </message>
    <message>
        <source>Running. Machines chain-load %1/boot.ipxe</source>
        <translation>Läuft. Maschinen laden per Chainload %1/boot.ipxe</translation>
    </message>
    <message>
        <source>All interfaces (no DHCP in full mode)</source>
        <translation>Alle Schnittstellen (kein DHCP im Vollmodus)</translation>
    </message>
    <message>
        <source>%1 (down)</source>
        <translation>%1 (inaktiv)</translation>
    </message>
    <message>
        <source>Stopped.</source>
        <translation>Beendet.</translation>
    </message>
    <message>
        <source>Looking for another DHCP server on the network…</source>
        <translation>Suche nach einem anderen DHCP-Server im Netzwerk…</translation>
    </message>
    <message>
        <source>Starting…</source>
        <translation>Wird gestartet…</translation>
    </message>
    <message>
        <source>Stop</source>
        <translation>Stoppen</translation>
    </message>
    <message>
        <source>Start</source>
        <translation>Starten</translation>
    </message>
    <message>
        <source>running, %1</source>
        <translation>läuft, %1</translation>
    </message>
    <message>
        <source>failed: %1</source>
        <translation>fehlgeschlagen: %1</translation>
    </message>
    <message>
        <source>starting…</source>
        <translation>startet…</translation>
    </message>
    <message>
        <source>off</source>
        <translation>aus</translation>
    </message>
    <message>
        <source>stopped</source>
        <translation>beendet</translation>
    </message>
    <message>
        <source>%1 received, %2 answered, %3 ignored, %4 dropped</source>
        <translation>%1 empfangen, %2 beantwortet, %3 ignoriert, %4 verworfen</translation>
    </message>
    <message>
        <source>%1 transfers, %2 active, %3 errors, %4 dropped</source>
        <translation>%1 Übertragungen, %2 aktiv, %3 Fehler, %4 verworfen</translation>
    </message>
    <message>
        <source>%1 requests: %2 scripts, %3 downloads, %4 reports, %5 errors; %6 open, %7 sent</source>
        <translation>%1 Anfragen: %2 Skripte, %3 Downloads, %4 Meldungen, %5 Fehler; %6 offen, %7 gesendet</translation>
    </message>
    <message>
        <source>Register them; boot the image for new machines, or wait</source>
        <translation>Registrieren; das Image für neue Maschinen booten oder warten</translation>
    </message>
    <message>
        <source>What a machine registered by its first boot boots until someone assigns it an image: an inventory or burn-in image, or nothing (it waits in the New section). Only with &quot;Register them&quot;.</source>
        <translation>Was eine beim ersten Boot registrierte Maschine bootet, bis ihr jemand ein Image zuweist: ein Inventar- oder Burn-in-Image oder nichts (sie wartet im Abschnitt Neu). Nur mit „Registrieren“.</translation>
    </message>
    <message>
        <source>New machines boot:</source>
        <translation>Neue Maschinen booten:</translation>
    </message>
    <message>
        <source>Nothing: they wait for an admin</source>
        <translation>Nichts: sie warten auf einen Admin</translation>
    </message>
    <message>
        <source>DHCP tells machines where this server is, so it needs the interface of the lab network, and none here is up with an IPv4 address. Connect the lab network (or set DHCP to Off and let the lab&apos;s own DHCP point machines here), then press Refresh beside Interface.</source>
        <translation>DHCP teilt den Maschinen mit, wo dieser Server ist, und braucht dafür die Schnittstelle des Labornetzes; hier ist keine mit einer IPv4-Adresse aktiv. Schließen Sie das Labornetz an (oder stellen Sie DHCP auf Aus, wenn das DHCP des Labors die Maschinen hierher schickt) und drücken Sie dann „Aktualisieren“ neben Schnittstelle.</translation>
    </message>
    <message>
        <source>DHCP tells machines where this server is, so it needs the interface of the lab network: choose it under Interface (here: %1). Or set DHCP to Off if the lab&apos;s own DHCP points machines here.</source>
        <translation>DHCP teilt den Maschinen mit, wo dieser Server ist, und braucht dafür die Schnittstelle des Labornetzes: wählen Sie sie unter Schnittstelle (hier: %1). Oder stellen Sie DHCP auf Aus, wenn das DHCP des Labors die Maschinen hierher schickt.</translation>
    </message>
    <message>
        <source>Interface</source>
        <translation>Schnittstelle</translation>
    </message>
    <message>
        <source>Machines fetch layers from &amp;neighbours</source>
        <translation>Maschinen holen Layer von &amp;Nachbarn</translation>
    </message>
    <message>
        <source>A machine that has verified a layer serves it to the others (port 8099), and Drover names which neighbour each machine fetches from; every byte is still checked against the image&apos;s digest, and Drover serves what no neighbour can. In the boot-storm simulator, 60 machines switched on at once behind a gigabit uplink were ready 4 to 6 times sooner. From each machine&apos;s next boot; shared by everyone using this catalog (`drover peers` sets the numbers).</source>
        <translation>Eine Maschine, die einen Layer geprüft hat, liefert ihn an die anderen (Port 8099), und Drover sagt jeder Maschine, von welchem Nachbarn sie holt; jedes Byte wird weiterhin gegen den Digest des Images geprüft, und Drover liefert, was kein Nachbar kann. Im Boot-Storm-Simulator waren 60 gleichzeitig eingeschaltete Maschinen hinter einem Gigabit-Uplink 4- bis 6-mal schneller bereit. Ab dem nächsten Start jeder Maschine; gilt für alle, die diesen Katalog nutzen (`drover peers` setzt die Zahlen).</translation>
    </message>
</context>
<context>
    <name>drover::ServerStrip</name>
    <message>
        <source>Boot server status</source>
        <translation>Zustand des Boot-Servers</translation>
    </message>
    <message>
        <source>DHCP warning</source>
        <translation>DHCP-Warnung</translation>
    </message>
    <message>
        <source>Settings…</source>
        <translation>Einstellungen…</translation>
    </message>
    <message>
        <source>Show the Server panel: DHCP mode, interface, ports and what the services do</source>
        <translation>Zeigt die Server-Ansicht: DHCP-Modus, Schnittstelle, Ports und was die Dienste tun</translation>
    </message>
    <message>
        <source>Stop serving</source>
        <translation>Bereitstellung stoppen</translation>
    </message>
    <message>
        <source>all interfaces</source>
        <translation>allen Schnittstellen</translation>
    </message>
    <message>
        <source>Proxy DHCP (ports %1, %2)</source>
        <translation>Proxy-DHCP (Ports %1, %2)</translation>
    </message>
    <message>
        <source>Full DHCP (port %1)</source>
        <translation>Voll-DHCP (Port %1)</translation>
    </message>
    <message>
        <source>DHCP off</source>
        <translation>DHCP aus</translation>
    </message>
    <message>
        <source>Serving on %1</source>
        <translation>Bereitstellung auf %1</translation>
    </message>
    <message>
        <source>Serving on %1 (%2)</source>
        <translation>Bereitstellung auf %1 (%2)</translation>
    </message>
    <message>
        <source>TFTP %1</source>
        <translation>TFTP %1</translation>
    </message>
    <message>
        <source>TFTP off</source>
        <translation>TFTP aus</translation>
    </message>
    <message>
        <source>HTTP %1</source>
        <translation>HTTP %1</translation>
    </message>
    <message>
        <source>up %1</source>
        <translation>läuft seit %1</translation>
    </message>
    <message numerus="yes">
        <source>%n boot(s) served</source>
        <translation>
            <numerusform>%n Start ausgeliefert</numerusform>
            <numerusform>%n Starts ausgeliefert</numerusform>
        </translation>
    </message>
    <message>
        <source>Starting the boot server…</source>
        <translation>Der Boot-Server startet…</translation>
    </message>
    <message>
        <source>Not serving: %1</source>
        <translation>Keine Bereitstellung: %1</translation>
    </message>
    <message>
        <source>Not serving: machines that netboot now get no image from this Drover</source>
        <translation>Keine Bereitstellung: Maschinen, die jetzt über das Netz starten, bekommen von diesem Drover kein Image</translation>
    </message>
    <message>
        <source>Boot server: running</source>
        <translation>Boot-Server: läuft</translation>
    </message>
    <message>
        <source>Boot server: not running</source>
        <translation>Boot-Server: läuft nicht</translation>
    </message>
    <message>
        <source>⚠ %1</source>
        <translation>⚠ %1</translation>
    </message>
    <message>
        <source>Start serving</source>
        <translation>Bereitstellung starten</translation>
    </message>
    <message>
        <source>Stop the boot server: machines that netboot get no answer from this Drover</source>
        <translation>Stoppt den Boot-Server: Maschinen, die über das Netz starten, bekommen von diesem Drover keine Antwort</translation>
    </message>
    <message>
        <source>Start the boot server with the Server panel&apos;s settings</source>
        <translation>Startet den Boot-Server mit den Einstellungen der Server-Ansicht</translation>
    </message>
</context>
<context>
    <name>drover::StartPage</name>
    <message>
        <source>A &amp;template shipped with Drover:</source>
        <translation>Eine mit Drover ausgelieferte &amp;Vorlage:</translation>
    </message>
    <message>
        <source>The recipe of an &amp;image in the catalog (its next version):</source>
        <translation>Das Rezept eines &amp;Images im Katalog (seine nächste Version):</translation>
    </message>
    <message>
        <source>A recipe &amp;file:</source>
        <translation>Eine &amp;Rezeptdatei:</translation>
    </message>
    <message>
        <source>Start From</source>
        <translation>Ausgangspunkt</translation>
    </message>
    <message>
        <source>Every later page can change what you start from.</source>
        <translation>Jede spätere Seite kann ändern, womit Sie beginnen.</translation>
    </message>
    <message>
        <source>Recipes that come with Drover; the Debian server is the reference recipe</source>
        <translation>Rezepte, die mit Drover geliefert werden; der Debian-Server ist das Referenzrezept</translation>
    </message>
    <message>
        <source>Images built here keep their recipe; the version is raised for the new build</source>
        <translation>Hier gebaute Images behalten ihr Rezept; die Version wird für den neuen Build erhöht</translation>
    </message>
    <message>
        <source>path of a recipe .json</source>
        <translation>Pfad eines Rezepts (.json)</translation>
    </message>
    <message>
        <source>A recipe file; its files directory and scripts are taken from beside it</source>
        <translation>Eine Rezeptdatei; ihr Dateiverzeichnis und ihre Skripte werden aus demselben Ordner übernommen</translation>
    </message>
    <message>
        <source>&amp;Browse…</source>
        <translation>&amp;Durchsuchen…</translation>
    </message>
    <message>
        <source>Choose a recipe file</source>
        <translation>Eine Rezeptdatei auswählen</translation>
    </message>
    <message>
        <source>Open Recipe</source>
        <translation>Rezept öffnen</translation>
    </message>
    <message>
        <source>Recipes (*.json);;All files (*)</source>
        <translation>Rezepte (*.json);;Alle Dateien (*)</translation>
    </message>
    <message>
        <source>(no image built here yet)</source>
        <translation>(hier wurde noch kein Image gebaut)</translation>
    </message>
    <message>
        <source>The image %1 is no longer in the catalog.</source>
        <translation>Das Image %1 ist nicht mehr im Katalog.</translation>
    </message>
    <message>
        <source>Choose a recipe file first.</source>
        <translation>Wählen Sie zuerst eine Rezeptdatei aus.</translation>
    </message>
    <message>
        <source>A &amp;container image or root filesystem archive:</source>
        <translation>Ein &amp;Container-Image oder Archiv eines Wurzeldateisystems:</translation>
    </message>
    <message>
        <source>Container image: OCI layout folder, oci-archive or docker-archive</source>
        <translation>Container-Image: OCI-Layout-Ordner, oci-archive oder docker-archive</translation>
    </message>
    <message>
        <source>Root filesystem archive: .tar, .tar.gz, .tar.xz, .tar.zst</source>
        <translation>Archiv eines Wurzeldateisystems: .tar, .tar.gz, .tar.xz, .tar.zst</translation>
    </message>
    <message>
        <source>What podman save, docker save or skopeo copy wrote, or a tar of a root file system</source>
        <translation>Was podman save, docker save oder skopeo copy geschrieben haben, oder ein tar eines Wurzeldateisystems</translation>
    </message>
    <message>
        <source>path of the image, archive or OCI layout folder</source>
        <translation>Pfad des Images, Archivs oder OCI-Layout-Ordners</translation>
    </message>
    <message>
        <source>A container&apos;s root has no kernel: the image boots the kernel of this Debian package, of the suite on the next page. Leave it empty for a root with a kernel in /boot.</source>
        <translation>Das System eines Containers hat keinen Kernel: das Image startet den Kernel dieses Debian-Pakets aus der Suite der nächsten Seite. Lassen Sie es leer für ein System mit Kernel in /boot.</translation>
    </message>
    <message>
        <source>B&amp;rowse…</source>
        <translation>Du&amp;rchsuchen…</translation>
    </message>
    <message>
        <source>Choose the archive, or an OCI layout folder</source>
        <translation>Wählen Sie das Archiv oder einen OCI-Layout-Ordner</translation>
    </message>
    <message>
        <source>Open OCI Layout</source>
        <translation>OCI-Layout öffnen</translation>
    </message>
    <message>
        <source>Open Archive</source>
        <translation>Archiv öffnen</translation>
    </message>
    <message>
        <source>Archives (*.tar *.tar.gz *.tgz *.tar.xz *.tar.zst);;All files (*)</source>
        <translation>Archive (*.tar *.tar.gz *.tgz *.tar.xz *.tar.zst);;Alle Dateien (*)</translation>
    </message>
    <message>
        <source>Choose the container image or archive first.</source>
        <translation>Wählen Sie zuerst das Container-Image oder Archiv.</translation>
    </message>
    <message>
        <source>A Debian package</source>
        <translation>Einem Debian-Paket</translation>
    </message>
    <message>
        <source>Another image of this lab</source>
        <translation>Einem anderen Abbild dieses Labors</translation>
    </message>
    <message>
        <source>The root&apos;s own /boot</source>
        <translation>Dem eigenen /boot der Wurzel</translation>
    </message>
    <message>
        <source>Where the kernel and its modules come from; the manifest records it</source>
        <translation>Woher Kernel und Module kommen; das Manifest hält es fest</translation>
    </message>
    <message>
        <source>The image boots this image&apos;s kernel, with the modules that image kept</source>
        <translation>Das Abbild bootet den Kernel dieses Abbilds, mit den Modulen, die jenes behalten hat</translation>
    </message>
    <message>
        <source>&amp;Kernel from:</source>
        <translation>&amp;Kernel aus:</translation>
    </message>
    <message>
        <source>There is no image in this lab to take a kernel from; take a Debian package.</source>
        <translation>Es gibt in diesem Labor kein Abbild, aus dem ein Kernel genommen werden könnte; nehmen Sie ein Debian-Paket.</translation>
    </message>
</context>
<context>
    <name>drover::TestsTab</name>
    <message>
        <source>C&amp;lear Failure</source>
        <translation>Fehler &amp;aufheben</translation>
    </message>
    <message>
        <source>The machine failed its burn-in, so no rollout gives it an image. Clear the failure once the hardware is repaired or known to be fine.</source>
        <translation>Die Maschine hat den Burn-in nicht bestanden, daher gibt ihr kein Rollout ein Image. Heben Sie den Fehler auf, sobald die Hardware repariert oder als in Ordnung bekannt ist.</translation>
    </message>
    <message>
        <source>Test</source>
        <translation>Test</translation>
    </message>
    <message>
        <source>Result</source>
        <translation>Ergebnis</translation>
    </message>
    <message>
        <source>Took</source>
        <translation>Dauer</translation>
    </message>
    <message>
        <source>Numbers</source>
        <translation>Messwerte</translation>
    </message>
    <message>
        <source>Test results of the selected machine</source>
        <translation>Testergebnisse der ausgewählten Maschine</translation>
    </message>
    <message>
        <source>Select a machine to see its test results.</source>
        <translation>Wählen Sie eine Maschine, um ihre Testergebnisse zu sehen.</translation>
    </message>
    <message>
        <source>&lt;b&gt;Burn-in failed&lt;/b&gt; (%1): no rollout gives this machine an image until the failure is cleared.</source>
        <translation>&lt;b&gt;Burn-in fehlgeschlagen&lt;/b&gt; (%1): kein Rollout gibt dieser Maschine ein Image, bis der Fehler aufgehoben ist.</translation>
    </message>
    <message>
        <source>%1 has not run any tests. Assign it a burn-in image (built from examples/recipes/debian-burnin.json): its tests run at the next boot and report here.</source>
        <translation>%1 hat noch keine Tests ausgeführt. Weisen Sie ihr ein Burn-in-Image zu (gebaut aus examples/recipes/debian-burnin.json): seine Tests laufen beim nächsten Boot und melden sich hier.</translation>
    </message>
    <message>
        <source>The last run passed (%1).</source>
        <translation>Der letzte Lauf hat bestanden (%1).</translation>
    </message>
    <message>
        <source>The last run failed (%1); its failure was cleared.</source>
        <translation>Der letzte Lauf ist fehlgeschlagen (%1); sein Fehler wurde aufgehoben.</translation>
    </message>
    <message>
        <source>%1 at %2</source>
        <translation>%1 am %2</translation>
    </message>
    <message>
        <source>Tests</source>
        <translation>Tests</translation>
    </message>
    <message>
        <source>passed</source>
        <translation>bestanden</translation>
    </message>
    <message numerus="yes">
        <source>%1 of %n failed</source>
        <translation>
            <numerusform>%1 von %n fehlgeschlagen</numerusform>
            <numerusform>%1 von %n fehlgeschlagen</numerusform>
        </translation>
    </message>
    <message>
        <source>%1 s</source>
        <translation>%1 s</translation>
    </message>
    <message>
        <source>boot %1</source>
        <translation>Boot %1</translation>
    </message>
    <message>
        <source>pass</source>
        <translation>bestanden</translation>
    </message>
    <message>
        <source>fail</source>
        <translation>fehlgeschlagen</translation>
    </message>
    <message>
        <source>Clear Failure</source>
        <translation>Fehler aufheben</translation>
    </message>
</context>
<context>
    <name>drover::TftpServer</name>
    <message>
        <source>&apos;%1&apos; is not a plain file name</source>
        <translation>&apos;%1&apos; ist kein einfacher Dateiname</translation>
    </message>
    <message>
        <source>%1: %2</source>
        <translation>%1: %2</translation>
    </message>
    <message>
        <source>%1 is larger than %2 MB</source>
        <translation>%1 ist größer als %2 MB</translation>
    </message>
    <message>
        <source>TFTP: none of the iPXE binaries could be read (%1). Install the ipxe package or set the directory that holds them.</source>
        <translation>TFTP: Keine der iPXE-Binärdateien konnte gelesen werden (%1). Installieren Sie das Paket ipxe oder legen Sie das Verzeichnis fest, das sie enthält.</translation>
    </message>
    <message>
        <source>TFTP: not serving %1</source>
        <translation>TFTP: %1 wird nicht bereitgestellt</translation>
    </message>
    <message>
        <source>TFTP: serving %1 on port %2%3</source>
        <translation>TFTP: %1 wird auf Port %2%3 bereitgestellt</translation>
    </message>
    <message>
        <source> of %1</source>
        <translation> von %1</translation>
    </message>
    <message>
        <source>TFTP: stopped</source>
        <translation>TFTP: beendet</translation>
    </message>
    <message>
        <source>TFTP: refused %1: %2</source>
        <translation>TFTP: %1 abgelehnt: %2</translation>
    </message>
    <message>
        <source>write request for &apos;%1&apos;</source>
        <translation>Schreibanfrage für &apos;%1&apos;</translation>
    </message>
    <message>
        <source>&apos;%1&apos; is not served</source>
        <translation>&apos;%1&apos; wird nicht bereitgestellt</translation>
    </message>
    <message>
        <source>&apos;%1&apos; asked in %2 mode</source>
        <translation>&apos;%1&apos; im Modus %2 angefragt</translation>
    </message>
    <message>
        <source>%1 transfers already running</source>
        <translation>bereits %1 Übertragungen aktiv</translation>
    </message>
    <message>
        <source>sent %1 to %2: %3 bytes in %4 s (blksize %5, windowsize %6)</source>
        <translation>%1 an %2 gesendet: %3 Bytes in %4 s (blksize %5, windowsize %6)</translation>
    </message>
    <message>
        <source>sending %1 to %2 failed: %3</source>
        <translation>Senden von %1 an %2 fehlgeschlagen: %3</translation>
    </message>
    <message>
        <source>TFTP: %1 to %2: %3</source>
        <translation>TFTP: %1 an %2: %3</translation>
    </message>
    <message>
        <source>TFTP: cannot record %1 boot events: %2</source>
        <translation>TFTP: %1 Boot-Ereignisse können nicht gespeichert werden: %2</translation>
    </message>
    <message>
        <source>%1 transfers from this address already running (tftp/max-per-client)</source>
        <translation>%1 Übertragungen von dieser Adresse laufen schon (tftp/max-per-client)</translation>
    </message>
    <message>
        <source>TFTP: no Secure Boot chain to serve (%1 or %2 missing): UEFI machines get iPXE, which a machine with Secure Boot on refuses. Install shim-signed and grub-efi-amd64-signed.</source>
        <translation>TFTP: keine Secure-Boot-Kette zum Ausliefern (%1 oder %2 fehlt): UEFI-Rechner bekommen iPXE, das ein Rechner mit eingeschaltetem Secure Boot ablehnt. shim-signed und grub-efi-amd64-signed installieren.</translation>
    </message>
    <message>
        <source>the Secure Boot chain (%1: %2; %3: %4)</source>
        <translation>die Secure-Boot-Kette (%1: %2; %3: %4)</translation>
    </message>
    <message>
        <source>TFTP: %1 asked for %2 (shim and GRUB look for it; not needed)</source>
        <translation>TFTP: %1 fragte nach %2 (shim und GRUB suchen danach; nicht nötig)</translation>
    </message>
    <message>
        <source>the client asked for it again from the start</source>
        <translation>der Client hat sie von vorn neu angefordert</translation>
    </message>
</context>
<context>
    <name>drover::TftpTransfer</name>
    <message>
        <source>the client ended the transfer (error %1: %2)</source>
        <translation>der Client hat die Übertragung beendet (Fehler %1: %2)</translation>
    </message>
    <message>
        <source>no answer from the client after %1 retries (block %2 of %3)</source>
        <translation>keine Antwort vom Client nach %1 Wiederholungen (Block %2 von %3)</translation>
    </message>
</context>
<context>
    <name>drover::UsersPage</name>
    <message>
        <source>Users and Keys</source>
        <translation>Benutzer und Schlüssel</translation>
    </message>
    <message>
        <source>Users the image gets (or, like root, already has), and the ssh keys they log in with. Per-machine users come from the machine&apos;s configuration at boot.</source>
        <translation>Benutzer, die das Image erhält (oder, wie root, bereits hat), und die ssh-Schlüssel, mit denen sie sich anmelden. Benutzer pro Maschine kommen beim Booten aus der Konfiguration der Maschine.</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>Name</translation>
    </message>
    <message>
        <source>UID</source>
        <translation>UID</translation>
    </message>
    <message>
        <source>Groups</source>
        <translation>Gruppen</translation>
    </message>
    <message>
        <source>Shell</source>
        <translation>Shell</translation>
    </message>
    <message>
        <source>Password hash</source>
        <translation>Passwort-Hash</translation>
    </message>
    <message>
        <source>Empty: the first free uid from 1000</source>
        <translation>Leer: die erste freie UID ab 1000</translation>
    </message>
    <message>
        <source>Supplementary groups separated by spaces; they must exist in the image</source>
        <translation>Zusätzliche Gruppen, durch Leerzeichen getrennt; sie müssen im Image existieren</translation>
    </message>
    <message>
        <source>A crypt(3) hash from mkpasswd, &quot;!&quot; or &quot;*&quot;; never a clear-text password. Empty: log in by key</source>
        <translation>Ein crypt(3)-Hash von mkpasswd, &quot;!&quot; oder &quot;*&quot;; nie ein Klartext-Passwort. Leer: Anmeldung per Schlüssel</translation>
    </message>
    <message>
        <source>F2 edits a cell</source>
        <translation>F2 bearbeitet eine Zelle</translation>
    </message>
    <message>
        <source>ssh-ed25519 AAAA… user@host, one key a line</source>
        <translation>ssh-ed25519 AAAA… user@host, ein Schlüssel pro Zeile</translation>
    </message>
    <message>
        <source>Appended to the user&apos;s ~/.ssh/authorized_keys</source>
        <translation>Wird an ~/.ssh/authorized_keys des Benutzers angehängt</translation>
    </message>
    <message>
        <source>&amp;Add User</source>
        <translation>Benutzer &amp;hinzufügen</translation>
    </message>
    <message>
        <source>A new user; give it a name in the table</source>
        <translation>Ein neuer Benutzer; geben Sie ihm in der Tabelle einen Namen</translation>
    </message>
    <message>
        <source>&amp;Remove User</source>
        <translation>Benutzer &amp;entfernen</translation>
    </message>
    <message>
        <source>Add &amp;Key File…</source>
        <translation>Schlüssel&amp;datei hinzufügen…</translation>
    </message>
    <message>
        <source>Append a public key file (~/.ssh/id_ed25519.pub) to the selected user&apos;s keys</source>
        <translation>Eine öffentliche Schlüsseldatei (~/.ssh/id_ed25519.pub) an die Schlüssel des ausgewählten Benutzers anhängen</translation>
    </message>
    <message>
        <source>SSH authorized ke&amp;ys of the selected user:</source>
        <translation>Autorisierte SSH-&amp;Schlüssel des ausgewählten Benutzers:</translation>
    </message>
    <message>
        <source>SSH authorized ke&amp;ys of %1:</source>
        <translation>Autorisierte SSH-&amp;Schlüssel von %1:</translation>
    </message>
    <message>
        <source>Add a Public Key</source>
        <translation>Öffentlichen Schlüssel hinzufügen</translation>
    </message>
    <message>
        <source>Public keys (*.pub);;All files (*)</source>
        <translation>Öffentliche Schlüssel (*.pub);;Alle Dateien (*)</translation>
    </message>
</context>
<context>
    <name>main</name>
    <message>
        <source>Show this help.</source>
        <translation>Diese Hilfe anzeigen.</translation>
    </message>
    <message>
        <source>Show the version.</source>
        <translation>Die Version anzeigen.</translation>
    </message>
    <message>
        <source>Data directory (default ~/.local/share/drover).</source>
        <translation>Datenverzeichnis (Standard: ~/.local/share/drover).</translation>
    </message>
    <message>
        <source>Catalog: a SQLite file or postgresql://user@host/database.</source>
        <translation>Katalog: eine SQLite-Datei oder postgresql://user@host/database.</translation>
    </message>
    <message>
        <source>Language, e.g. de (default: the system&apos;s).</source>
        <translation>Sprache, z. B. de (Standard: die des Systems).</translation>
    </message>
    <message>
        <source>Print listings as JSON.</source>
        <translation>Auflistungen als JSON ausgeben.</translation>
    </message>
    <message>
        <source>Run the boot server without a window until SIGTERM.</source>
        <translation>Den Bootserver ohne Fenster ausführen, bis SIGTERM eintrifft.</translation>
    </message>
    <message>
        <source>Drover: stateless machines, images chosen at boot.</source>
        <translation>Drover: zustandslose Maschinen, Images beim Booten gewählt.</translation>
    </message>
    <message>
        <source>command</source>
        <translation>Befehl</translation>
    </message>
    <message>
        <source>A command; see Commands below.</source>
        <translation>Ein Befehl; siehe „Befehle“ unten.</translation>
    </message>
    <message>
        <source>[command [args…]]</source>
        <translation>[Befehl [Argumente…]]</translation>
    </message>
    <message>
        <source>
Commands:
</source>
        <translation>
Befehle:
</translation>
    </message>
    <message>
        <source>drover: unknown command &apos;%1&apos;; see drover --help</source>
        <translation>drover: unbekannter Befehl „%1“; siehe drover --help</translation>
    </message>
    <message>
        <source>signal %1: stopping</source>
        <translation>Signal %1: wird beendet</translation>
    </message>
    <message>
        <source>Drover %1 running headless on %2</source>
        <translation>Drover %1 läuft ohne Oberfläche auf %2</translation>
    </message>
    <message>
        <source>stopped</source>
        <translation>beendet</translation>
    </message>
    <message>
        <source>With --headless: DHCP mode proxy (default), full or off.</source>
        <translation>Mit --headless: DHCP-Modus proxy (Standard), full oder off.</translation>
    </message>
    <message>
        <source>With --headless: the lab&apos;s network interface.</source>
        <translation>Mit --headless: die Netzwerkschnittstelle des Labors.</translation>
    </message>
    <message>
        <source>With --headless: HTTP port (default 8080).</source>
        <translation>Mit --headless: HTTP-Port (Standard: 8080).</translation>
    </message>
    <message>
        <source>With --headless: TFTP port (default 69).</source>
        <translation>Mit --headless: TFTP-Port (Standard: 69).</translation>
    </message>
    <message>
        <source>With --headless: unknown machines are ignored, registered, or registered and booted (ignore|register|boot; default: the catalog&apos;s setting).</source>
        <translation>Mit --headless: unbekannte Maschinen werden ignoriert, registriert oder registriert und gebootet (ignore|register|boot; Standard: die Einstellung des Katalogs).</translation>
    </message>
    <message>
        <source>Open the window, save a picture of it to FILE and quit (for the docs).</source>
        <translation>Das Fenster öffnen, ein Bild davon in FILE speichern und beenden (für die Dokumentation).</translation>
    </message>
    <message>
        <source>With --headless --dhcp full: the addresses handed out, FIRST-LAST (default: .100-.199 of the interface&apos;s subnet).</source>
        <translation>Mit --headless --dhcp full: die vergebenen Adressen, FIRST-LAST (Standard: .100-.199 des Subnetzes der Schnittstelle).</translation>
    </message>
    <message numerus="yes">
        <source>… and %n more info line(s) not shown (drover events has them all)</source>
        <translation>
            <numerusform>… und %n weitere Infozeile nicht angezeigt (drover events zeigt alle)</numerusform>
            <numerusform>… und %n weitere Infozeilen nicht angezeigt (drover events zeigt alle)</numerusform>
        </translation>
    </message>
</context>
</TS>
