// libFuzzer target: the reports a machine posts with a body — its hardware inventory (POST
// /inventory) and its test results (POST /tests). Every input is either refused with a reason
// or parsed into a report that keeps the parser's bounds and survives the stored JSON form
// unchanged.
#include "inventory/hardwareinventory.h"
#include "inventory/testreport.h"

#include <cstddef>
#include <cstdint>
#include <cstdlib>

using namespace drover;

namespace {

void testReport(QByteArrayView input)
{
    QString why;
    const auto report = parseTestReport(input, &why);
    if (!report) {
        if (why.isEmpty())
            std::abort();
        return;
    }
    if (report->tests.isEmpty() || report->tests.size() > kTestMaxTests)
        std::abort();
    for (const TestResult &t : report->tests) {
        if (t.name.isEmpty() || t.name.size() > kTestMaxName || t.metrics.size() > kTestMaxMetrics
            || t.output.size() > kTestMaxOutput)
            std::abort();
    }
    if (TestReport::testsFromJson(report->toJson()) != report->tests)
        std::abort();
    for (const TestResult &t : report->tests)
        (void)describeMetrics(t);
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    const QByteArrayView input(reinterpret_cast<const char *>(data), qsizetype(size));
    testReport(input);
    QString why;
    const auto inventory = parseInventoryReport(input, &why);
    if (!inventory) {
        if (why.isEmpty())
            std::abort();
        return 0;
    }
    if (inventory->disks.size() > kInventoryMaxItems || inventory->nics.size() > kInventoryMaxItems
        || inventory->dimms.size() > kInventoryMaxItems)
        std::abort();
    for (const NicInfo &n : inventory->nics) {
        if (n.name.size() > kInventoryMaxValue || (!n.mac.isEmpty() && n.mac.size() != 17))
            std::abort();
    }
    if (HardwareInventory::fromJson(inventory->toJson()) != *inventory)
        std::abort();
    if (!inventoryChanges(*inventory, *inventory).isEmpty())
        std::abort();
    (void)describeInventory(*inventory);
    (void)inventory->summary();
    return 0;
}
