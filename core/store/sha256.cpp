#include "store/sha256.h"

#include <QCoreApplication>
#include <QFile>
#include <QLibrary>

namespace drover {

namespace {

// The few libcrypto 3 entry points a digest needs, resolved once per process.
struct Crypto {
    using NewCtx = void *(*)();
    using FreeCtx = void (*)(void *);
    using Md = const void *(*)();
    using Init = int (*)(void *, const void *, void *);
    using Update = int (*)(void *, const void *, size_t);
    using Final = int (*)(void *, unsigned char *, unsigned int *);

    NewCtx newCtx = nullptr;
    FreeCtx freeCtx = nullptr;
    Md sha256 = nullptr;
    Init init = nullptr;
    Update update = nullptr;
    Final final = nullptr;

    bool ok() const { return newCtx && freeCtx && sha256 && init && update && final; }
};

const Crypto &crypto()
{
    static const Crypto c = [] {
        Crypto r;
        if (qEnvironmentVariable("DROVER_SHA256") == QLatin1String("portable"))
            return r;
        // Never unloaded: contexts may live until the process exits.
        auto *lib = new QLibrary(QStringLiteral("crypto"), 3);
        if (!lib->load()) {
            delete lib;
            return r;
        }
        r.newCtx = reinterpret_cast<Crypto::NewCtx>(lib->resolve("EVP_MD_CTX_new"));
        r.freeCtx = reinterpret_cast<Crypto::FreeCtx>(lib->resolve("EVP_MD_CTX_free"));
        r.sha256 = reinterpret_cast<Crypto::Md>(lib->resolve("EVP_sha256"));
        r.init = reinterpret_cast<Crypto::Init>(lib->resolve("EVP_DigestInit_ex"));
        r.update = reinterpret_cast<Crypto::Update>(lib->resolve("EVP_DigestUpdate"));
        r.final = reinterpret_cast<Crypto::Final>(lib->resolve("EVP_DigestFinal_ex"));
        if (!r.ok())
            r = Crypto();
        return r;
    }();
    return c;
}

} // namespace

Sha256::Sha256(Engine engine)
{
    const Crypto &c = crypto();
    if (engine == Engine::Best && c.ok()) {
        m_ctx = c.newCtx();
        if (m_ctx && c.init(m_ctx, c.sha256(), nullptr) == 1)
            return;
        if (m_ctx)
            c.freeCtx(m_ctx);
        m_ctx = nullptr;
    }
    m_portable = std::make_unique<QCryptographicHash>(QCryptographicHash::Sha256);
}

Sha256::~Sha256()
{
    if (m_ctx)
        crypto().freeCtx(m_ctx);
}

void Sha256::addData(QByteArrayView data)
{
    if (m_ctx)
        crypto().update(m_ctx, data.data(), size_t(data.size()));
    else
        m_portable->addData(data);
}

Digest Sha256::result()
{
    QByteArray raw;
    if (m_ctx) {
        unsigned char out[32];
        unsigned int length = 0;
        crypto().final(m_ctx, out, &length);
        raw = QByteArray(reinterpret_cast<const char *>(out), int(length));
    } else {
        raw = m_portable->result();
    }
    return Digest::fromHex(QString::fromLatin1(raw.toHex()));
}

bool Sha256::accelerated()
{
    return crypto().ok();
}

namespace {

struct FileText {
    Q_DECLARE_TR_FUNCTIONS(Sha256)
};

} // namespace

Result<Digest> Sha256::ofFile(const QString &path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return Result<Digest>::failure(FileText::tr("cannot read %1: %2").arg(path, f.errorString()));
    Sha256 h;
    QByteArray chunk(1 << 20, Qt::Uninitialized);
    for (;;) {
        const qint64 n = f.read(chunk.data(), chunk.size());
        if (n < 0)
            return Result<Digest>::failure(FileText::tr("cannot read %1: %2").arg(path, f.errorString()));
        if (n == 0)
            return h.result();
        h.addData(QByteArrayView(chunk.constData(), n));
    }
}

Digest Sha256::ofBytes(QByteArrayView data, Engine engine)
{
    Sha256 h(engine);
    h.addData(data);
    return h.result();
}

} // namespace drover
