<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="de_DE">
<context>
    <name>AssignVerbs</name>
    <message>
        <source>Why: kept in the history.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>TARGET is a group, even one with no machines yet.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Set the image of machines with no other assignment.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&apos;%1&apos; is neither a machine nor a group; use --group to start a new group</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 %2 boots %3 from its next boot</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>(default)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>TARGET is a group.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The history of the default image.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&apos;%1&apos; is neither a machine nor a group</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>WHEN</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>IMAGE</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>WHO</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>WHY</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Assign an image; it takes effect at the target&apos;s next boot.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>List the assignments of a machine or group, newest first.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>EventVerbs</name>
    <message>
        <source>Only events of this machine (name or MAC).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Only events of this phase.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>At most this many past events (default 100).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Keep printing new events as they arrive.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>drover: --limit needs a positive number</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Show boot events: every step the server saw, with time, machine and image.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>MachineVerbs</name>
    <message>
        <source>The machine&apos;s MAC address.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The machine&apos;s SMBIOS UUID.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A label KEY=VALUE; group=NAME puts it in a group.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>drover: --mac &apos;%1&apos; is not a MAC address like 52:54:00:12:34:56</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>drover: --label &apos;%1&apos; is not KEY=VALUE</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>added machine %1 (%2)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>NAME</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>MAC</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>STATE</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>IMAGE</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>LABELS</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>no machine named &apos;%1&apos;</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>removed machine %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>drover: &apos;%1&apos; is not KEY=VALUE (an empty VALUE removes the label)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Add a machine to the catalog.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>List the machines.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Show one machine.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Remove machines from the catalog.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Set or remove (K=) labels of a machine.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>drover::AddMachineDialog</name>
    <message>
        <source>Add Machine</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>pc-01</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>52:54:00:12:34:56</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The MAC address of the network card the machine boots from</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>optional, e.g. room-a</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Machines in a group can be assigned an image together</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Name:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;MAC address:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Group:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Give the machine a name.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Enter a MAC address such as 52:54:00:12:34:56.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>drover::Catalog</name>
    <message>
        <source>catalog: the PostgreSQL driver (QPSQL) is not installed; install libqt6sql6-psql</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>catalog: &apos;%1&apos; is not a PostgreSQL URL like postgresql://user@host/database</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>catalog: cannot open %1: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>catalog: cannot listen for changes on %1: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>catalog: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>catalog: the database has schema version %1, newer than this Drover understands (%2); upgrade Drover</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>catalog: cannot begin migration %1: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>catalog: migration %1 (%2) failed: %3</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>catalog: cannot commit migration %1: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>a machine named &apos;%1&apos; exists already</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>MAC %1 belongs to machine &apos;%2&apos; already</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>catalog: cannot add machine &apos;%1&apos;: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>catalog: cannot label machine &apos;%1&apos;: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>catalog: cannot update machine &apos;%1&apos;: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>machine &apos;%1&apos; was changed by someone else since it was read; reload and try again</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>no machine named &apos;%1&apos;</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>catalog: cannot remove &apos;%1&apos;: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>image %1 exists already with manifest %2; a published tag never moves</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>catalog: cannot add image %1: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>image %1 is still assigned or is a machine&apos;s last-known-good image</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>no image %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>no image %1 in the catalog</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>catalog: cannot assign %1: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>catalog: cannot record boot event: %1</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>drover::Cli</name>
    <message>
        <source>usage: drover %1 %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>drover: wrong number of arguments</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>drover::FleetModel</name>
    <message>
        <source>new</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>unknown</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>booting</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>booting: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>ready</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>failed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>failed: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>offline</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Name</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>MAC</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Address</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Status</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Current image</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Assigned image</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Last seen</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Labels</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>drover::FleetView</name>
    <message>
        <source>Search machines by name, MAC, address, image or label (Ctrl+F)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No machines yet.

Machines appear here when they network-boot from Drover&apos;s boot server, or add one with Machines → Add Machine… (Ctrl+N).</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>drover::ImageModel</name>
    <message>
        <source>%1
manifest %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Image</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Version</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Size</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Created</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Machines</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>drover::Lab</name>
    <message>
        <source>cannot create the data directory %1</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>drover::LogBus</name>
    <message>
        <source>debug</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>info</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>warning</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>error</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>drover::LogModel</name>
    <message>
        <source>Time</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Severity</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Source</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Machine</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Phase</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Message</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>drover::LogView</name>
    <message>
        <source>Filter by machine, phase or text</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>All messages</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Info and above</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Warnings and errors</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Errors only</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Minimum severity shown</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Export…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Save the messages shown to a text file</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Nothing logged yet. Boot steps, build steps and server events appear here as they happen.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Export log</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Text files (*.txt);;All files (*)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cannot write %1: %2</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>drover::MainWindow</name>
    <message>
        <source>Drover</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No images yet.

Build one from a recipe, or import an image bundle (.tar) from another lab.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Fleet</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Images</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Server</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Log</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Data in %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;File</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Quit</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Machines</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Add Machine…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Add a machine by its MAC address</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Remove Selected</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Find…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;View</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Reset Layout</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Help</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;About Drover</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>About &amp;Qt</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Added machine %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Remove Machines</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>Remove %n machine(s) from the catalog? Their boot history stays in the log.</source>
        <translation type="unfinished">
            <numerusform></numerusform>
            <numerusform></numerusform>
        </translation>
    </message>
    <message>
        <source>About Drover</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&lt;h3&gt;Drover %1&lt;/h3&gt;&lt;p&gt;Stateless machines for small labs: every machine network-boots an image chosen at boot time, runs it from RAM and keeps nothing. Upgrading is assigning a new image; rolling back is assigning the old one.&lt;/p&gt;</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>drover::ServerPanel</name>
    <message>
        <source>Data directory:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Catalog:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>PostgreSQL, %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>SQLite, %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Schema version:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Image store:</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>main</name>
    <message>
        <source>Show this help.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Show the version.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Data directory (default ~/.local/share/drover).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Catalog: a SQLite file or postgresql://user@host/database.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Language, e.g. de (default: the system&apos;s).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Print listings as JSON.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Run the boot server without a window until SIGTERM.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Drover: stateless machines, images chosen at boot.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>command</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A command; see Commands below.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>[command [args…]]</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>
Commands:
</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>drover: unknown command &apos;%1&apos;; see drover --help</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>signal %1: stopping</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Drover %1 running headless on %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>stopped</source>
        <translation type="unfinished"></translation>
    </message>
</context>
</TS>
