<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="en" sourcelanguage="en">
<context>
    <name>BootDecision</name>
    <message numerus="yes">
        <source>%1 failed %n boot(s) in a row with no other image known to work; trying %2 again in %3 s</source>
        <translation>
            <numerusform>%1 failed %n boot in a row with no other image known to work; trying %2 again in %3 s</numerusform>
            <numerusform>%1 failed %n boots in a row with no other image known to work; trying %2 again in %3 s</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%1 failed %n boot(s) in a row; booting its last-known-good image %2 instead of %3</source>
        <translation>
            <numerusform>%1 failed %n boot in a row; booting its last-known-good image %2 instead of %3</numerusform>
            <numerusform>%1 failed %n boots in a row; booting its last-known-good image %2 instead of %3</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>BootRecorder</name>
    <message numerus="yes">
        <source>removed %n old boot event(s) (keeping at most %1, none older than %2 days)</source>
        <translation>
            <numerusform>removed %n old boot event (keeping at most %1, none older than %2 days)</numerusform>
            <numerusform>removed %n old boot events (keeping at most %1, none older than %2 days)</numerusform>
        </translation>
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
</context>
<context>
    <name>Builder</name>
    <message numerus="yes">
        <source>%n modules; built in: %1</source>
        <translation>
            <numerusform>%n module; built in: %1</numerusform>
            <numerusform>%n modules; built in: %1</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n packages</source>
        <translation>
            <numerusform>%n package</numerusform>
            <numerusform>%n packages</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n files</source>
        <translation>
            <numerusform>%n file</numerusform>
            <numerusform>%n files</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n scripts</source>
        <translation>
            <numerusform>%n script</numerusform>
            <numerusform>%n scripts</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n packages unpacked</source>
        <translation>
            <numerusform>%n package unpacked</numerusform>
            <numerusform>%n packages unpacked</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%1 with %n layers, config %2</source>
        <translation>
            <numerusform>%1 with %n layer, config %2</numerusform>
            <numerusform>%1 with %n layers, config %2</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n entries removed by whiteouts</source>
        <translation>
            <numerusform>%n entry removed by whiteouts</numerusform>
            <numerusform>%n entries removed by whiteouts</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%1, %n layers</source>
        <translation>
            <numerusform>%1, %n layer</numerusform>
            <numerusform>%1, %n layers</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>DhcpLeases</name>
    <message numerus="yes">
        <source>%n client(s)</source>
        <translation>
            <numerusform>%n client</numerusform>
            <numerusform>%n clients</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>Handover</name>
    <message numerus="yes">
        <source>%n machine(s), printed %1</source>
        <translation>
            <numerusform>%n machine, printed %1</numerusform>
            <numerusform>%n machines, printed %1</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>HardwareInventory</name>
    <message numerus="yes">
        <source>%n thread(s)</source>
        <translation>
            <numerusform>%n thread</numerusform>
            <numerusform>%n threads</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n disk(s)</source>
        <translation>
            <numerusform>%n disk</numerusform>
            <numerusform>%n disks</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n NIC(s)</source>
        <translation>
            <numerusform>%n NIC</numerusform>
            <numerusform>%n NICs</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n socket(s)</source>
        <translation>
            <numerusform>%n socket</numerusform>
            <numerusform>%n sockets</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n core(s)</source>
        <translation>
            <numerusform>%n core</numerusform>
            <numerusform>%n cores</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>ImageVerbs</name>
    <message numerus="yes">
        <source>repaired %n corrupt blob(s) from the bundle</source>
        <translation>
            <numerusform>repaired %n corrupt blob from the bundle</numerusform>
            <numerusform>repaired %n corrupt blobs from the bundle</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>InventoryVerbs</name>
    <message numerus="yes">
        <source>wrote the hardware of %n machine(s) to %1</source>
        <translation>
            <numerusform>wrote the hardware of %n machine to %1</numerusform>
            <numerusform>wrote the hardware of %n machines to %1</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>OciSource</name>
    <message numerus="yes">
        <source>%1 names %n images and none for linux/amd64</source>
        <translation>
            <numerusform>%1 names %n image and none for linux/amd64</numerusform>
            <numerusform>%1 names %n images and none for linux/amd64</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>the docker-archive holds %n images; import one at a time</source>
        <translation>
            <numerusform>the docker-archive holds %n image; import one at a time</numerusform>
            <numerusform>the docker-archive holds %n images; import one at a time</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>Rollout</name>
    <message numerus="yes">
        <source>rollout of %1 to %2 planned: %n canary machine(s) first</source>
        <translation>
            <numerusform>rollout of %1 to %2 planned: %n canary machine first</numerusform>
            <numerusform>rollout of %1 to %2 planned: %n canary machines first</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n machine(s) of group %1 failed their burn-in: %2; clear the failure (drover tests clear MACHINE, or Clear Failure in the Tests tab) or take them out of the group first</source>
        <translation>
            <numerusform>%n machine of group %1 failed its burn-in: %2; clear the failure (drover tests clear MACHINE, or Clear Failure in the Tests tab) or take it out of the group first</numerusform>
            <numerusform>%n machines of group %1 failed their burn-in: %2; clear the failure (drover tests clear MACHINE, or Clear Failure in the Tests tab) or take them out of the group first</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>RolloutEngine</name>
    <message numerus="yes">
        <source>rollout of %1 to %2 stopped: %n machine(s) failed</source>
        <translation>
            <numerusform>rollout of %1 to %2 stopped: %n machine failed</numerusform>
            <numerusform>rollout of %1 to %2 stopped: %n machines failed</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>rollout of %1 to %2 done: %n machine(s)</source>
        <translation>
            <numerusform>rollout of %1 to %2 done: %n machine</numerusform>
            <numerusform>rollout of %1 to %2 done: %n machines</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%1; %n machine(s) back on their previous image</source>
        <translation>
            <numerusform>%1; %n machine back on its previous image</numerusform>
            <numerusform>%1; %n machines back on their previous image</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>SecureBoot</name>
    <message numerus="yes">
        <source> and %n more</source>
        <translation>
            <numerusform> and %n more</numerusform>
            <numerusform> and %n more</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>drover::BootRecorder</name>
    <message numerus="yes">
        <source>%1: %2 passed (%n test(s))</source>
        <translation>
            <numerusform>%1: %2 passed (%n test)</numerusform>
            <numerusform>%1: %2 passed (%n tests)</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%1: %2 failed: %3 of %n test(s) (%4); no rollout reaches it until the failure is cleared</source>
        <translation>
            <numerusform>%1: %2 failed: %3 of %n test (%4); no rollout reaches it until the failure is cleared</numerusform>
            <numerusform>%1: %2 failed: %3 of %n tests (%4); no rollout reaches it until the failure is cleared</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>drover::DhcpServer</name>
    <message numerus="yes">
        <source>decline %1: another host uses it; out of the pool for %n s</source>
        <translation>
            <numerusform>decline %1: another host uses it; out of the pool for %n s</numerusform>
            <numerusform>decline %1: another host uses it; out of the pool for %n s</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>drover::FleetActions</name>
    <message numerus="yes">
        <source>assign %1 to %n machine(s)</source>
        <translation>
            <numerusform>assign %1 to %n machine</numerusform>
            <numerusform>assign %1 to %n machines</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%1 assigned; %n machine(s) boot it at their next boot (Ctrl+Z to undo)</source>
        <translation>
            <numerusform>%1 assigned; %n machine boots it at its next boot (Ctrl+Z to undo)</numerusform>
            <numerusform>%1 assigned; %n machines boot it at their next boot (Ctrl+Z to undo)</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Image or boot target for %n machine(s):</source>
        <translation>
            <numerusform>Image or boot target for %n machine:</numerusform>
            <numerusform>Image or boot target for %n machines:</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>named %n machine(s) from %1</source>
        <translation>
            <numerusform>named %n machine from %1</numerusform>
            <numerusform>named %n machines from %1</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>saved the hand-over sheet of %n machine(s) to %1</source>
        <translation>
            <numerusform>saved the hand-over sheet of %n machine to %1</numerusform>
            <numerusform>saved the hand-over sheet of %n machines to %1</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>drover::FleetModel</name>
    <message numerus="yes">
        <source>%n thread(s)</source>
        <translation>
            <numerusform>%n thread</numerusform>
            <numerusform>%n threads</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>drover::FleetSummary</name>
    <message numerus="yes">
        <source>%n ready</source>
        <translation>
            <numerusform>%n ready</numerusform>
            <numerusform>%n ready</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n booting</source>
        <translation>
            <numerusform>%n booting</numerusform>
            <numerusform>%n booting</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n failed</source>
        <translation>
            <numerusform>%n failed</numerusform>
            <numerusform>%n failed</numerusform>
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
            <numerusform>%n not booted yet</numerusform>
            <numerusform>%n not booted yet</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n machine(s)</source>
        <translation>
            <numerusform>%n machine</numerusform>
            <numerusform>%n machines</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>drover::HardwareTab</name>
    <message numerus="yes">
        <source>%n change(s) of hardware</source>
        <translation>
            <numerusform>%n change of hardware</numerusform>
            <numerusform>%n changes of hardware</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>drover::HttpBootServer</name>
    <message numerus="yes">
        <source>HTTP boot server listening on port %1 (%n thread(s))</source>
        <translation>
            <numerusform>HTTP boot server listening on port %1 (%n thread)</numerusform>
            <numerusform>HTTP boot server listening on port %1 (%n threads)</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>drover::ImagePanel</name>
    <message numerus="yes">
        <source>All %n blob(s) of %1 are whole (%2).</source>
        <translation>
            <numerusform>The %n blob of %1 is whole (%2).</numerusform>
            <numerusform>All %n blobs of %1 are whole (%2).</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n blob(s) are corrupt or missing:

%1</source>
        <translation>
            <numerusform>%n blob is corrupt or missing:

%1</numerusform>
            <numerusform>%n blobs are corrupt or missing:

%1</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Delete %n unused file(s) and free %1?</source>
        <translation>
            <numerusform>Delete %n unused file and free %1?</numerusform>
            <numerusform>Delete %n unused files and free %1?</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>drover::LabelGroupModel</name>
    <message numerus="yes">
        <source>%n machine(s)</source>
        <translation>
            <numerusform>%n machine</numerusform>
            <numerusform>%n machines</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n ready</source>
        <translation>
            <numerusform>%n ready</numerusform>
            <numerusform>%n ready</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n booting</source>
        <translation>
            <numerusform>%n booting</numerusform>
            <numerusform>%n booting</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n failed</source>
        <translation>
            <numerusform>%n failed</numerusform>
            <numerusform>%n failed</numerusform>
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
            <numerusform>%n unknown</numerusform>
            <numerusform>%n unknown</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>drover::MainWindow</name>
    <message numerus="yes">
        <source>Remove %n machine(s) from the catalog? Their boot history stays in the log.</source>
        <translation>
            <numerusform>Remove %n machine from the catalog? Its boot history stays in the log.</numerusform>
            <numerusform>Remove %n machines from the catalog? Their boot history stays in the log.</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>drover::NamingDialog</name>
    <message numerus="yes">
        <source>Name %n Machine(s)</source>
        <translation>
            <numerusform>Name %n Machine</numerusform>
            <numerusform>Name %n Machines</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>drover::PackagesPage</name>
    <message numerus="yes">
        <source>%1 of %n package(s) shown.</source>
        <translation>
            <numerusform>%1 of %n package shown.</numerusform>
            <numerusform>%1 of %n packages shown.</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>drover::PowerActions</name>
    <message numerus="yes">
        <source>%1 and %n more</source>
        <translation>
            <numerusform>%1 and %n more</numerusform>
            <numerusform>%1 and %n more</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>drover::ReviewPage</name>
    <message numerus="yes">
        <source>Estimate: %n package(s) with dependencies and Debian&apos;s essential set, %1 installed; the image machines download is very roughly %2 (pruning and compression vary).</source>
        <translation>
            <numerusform>Estimate: %n package with dependencies and Debian&apos;s essential set, %1 installed; the image machines download is very roughly %2 (pruning and compression vary).</numerusform>
            <numerusform>Estimate: %n packages with dependencies and Debian&apos;s essential set, %1 installed; the image machines download is very roughly %2 (pruning and compression vary).</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>drover::ServerStrip</name>
    <message numerus="yes">
        <source>%n boot(s) served</source>
        <translation>
            <numerusform>%n boot served</numerusform>
            <numerusform>%n boots served</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>drover::TestsTab</name>
    <message numerus="yes">
        <source>%1 of %n failed</source>
        <translation>
            <numerusform>%1 of %n failed</numerusform>
            <numerusform>%1 of %n failed</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>main</name>
    <message numerus="yes">
        <source>… and %n more info line(s) not shown (drover events has them all)</source>
        <translation>
            <numerusform>… and %n more info line not shown (drover events has them all)</numerusform>
            <numerusform>… and %n more info lines not shown (drover events has them all)</numerusform>
        </translation>
    </message>
</context>
</TS>
