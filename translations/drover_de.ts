<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="de_DE">
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
        <source>%1 %2 boots %3 from its next boot</source>
        <translation>%1 %2 bootet ab dem nächsten Start %3</translation>
    </message>
    <message>
        <source>(default)</source>
        <translation>(Standard)</translation>
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
        <source>Assign an image; it takes effect at the target&apos;s next boot.</source>
        <translation>Ein Image zuweisen; es wird beim nächsten Booten des Ziels wirksam.</translation>
    </message>
    <message>
        <source>List the assignments of a machine or group, newest first.</source>
        <translation>Die Zuweisungen einer Maschine oder Gruppe auflisten, neueste zuerst.</translation>
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
        <source>image %1 is still assigned or is a machine&apos;s last-known-good image</source>
        <translation>Image %1 ist noch zugewiesen oder ist das letzte als funktionierend bekannte Image einer Maschine</translation>
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
</context>
<context>
    <name>drover::Lab</name>
    <message>
        <source>cannot create the data directory %1</source>
        <translation>Das Datenverzeichnis %1 kann nicht erstellt werden</translation>
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
</context>
<context>
    <name>drover::MainWindow</name>
    <message>
        <source>Drover</source>
        <translation>Drover</translation>
    </message>
    <message>
        <source>No images yet.

Build one from a recipe, or import an image bundle (.tar) from another lab.</source>
        <translation>Noch keine Images.

Erstellen Sie eines aus einem Rezept oder importieren Sie ein Image-Bundle (.tar) aus einem anderen Labor.</translation>
    </message>
    <message>
        <source>Fleet</source>
        <translation>Flotte</translation>
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
</context>
</TS>
