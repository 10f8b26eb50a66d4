// store_writer: the process tst_storecrash kills at random points. It imports a bundle or
// builds and publishes an image, through the same core calls as `drover image import` and
// a build's publish step.
//
//   store_writer import DATA_DIR BUNDLE
//   store_writer publish DATA_DIR SEED
#include "lab/lab.h"
#include "store/bundle.h"
#include "storefixture.h"

#include <QCoreApplication>

#include <cstdio>

using namespace drover;

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    const QStringList args = app.arguments();
    if (args.size() != 4 || (args[1] != QLatin1String("import") && args[1] != QLatin1String("publish"))) {
        std::fprintf(stderr, "usage: store_writer import DATA_DIR BUNDLE | publish DATA_DIR SEED\n");
        return 2;
    }
    auto lab = Lab::open(LabOptions { args[2], {} });
    if (!lab) {
        std::fprintf(stderr, "store_writer: %s\n", qPrintable(lab.error()));
        return 1;
    }
    const ImageStore store(lab.value()->storeDir());
    if (args[1] == QLatin1String("import")) {
        auto imported = importBundle(store, lab.value()->catalog(), args[3]);
        if (!imported) {
            std::fprintf(stderr, "store_writer: %s\n", qPrintable(imported.error()));
            return 1;
        }
    } else {
        const quint32 seed = args[3].toUInt();
        const Manifest m
            = test::makeImage(store.blobs(), QStringLiteral("crash"), args[3], { 3 << 20, 2 << 20, 1 << 20 }, seed);
        auto record = publishImage(store, *lab.value()->catalog(), m);
        if (!record) {
            std::fprintf(stderr, "store_writer: %s\n", qPrintable(record.error()));
            return 1;
        }
    }
    std::printf("ok\n");
    return 0;
}
