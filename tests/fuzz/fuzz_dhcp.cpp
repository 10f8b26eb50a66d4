// libFuzzer target for the DHCP decoder: any input either is rejected or parses into a packet
// that encodes to bytes parsing back to the same packet (and the same bytes again). Every
// accessor the server calls runs on what parsed, and so does the boot file choice.
#include "boot/dhcp/bootfile.h"
#include "boot/dhcp/dhcppacket.h"

#include <cstdint>
#include <cstdlib>

using namespace drover;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    // libFuzzer hands over a buffer of exactly `size` bytes: AddressSanitizer sees any overread.
    auto packet = DhcpPacket::parse(QByteArrayView(data, qsizetype(size)));
    if (!packet)
        return 0;
    (void)packet->messageType();
    (void)packet->clientMac();
    (void)packet->clientUuid();
    (void)packet->addressOption(DhcpOption::RequestedAddress);
    BootFileSettings settings;
    settings.httpBaseUrl = QStringLiteral("http://10.0.0.1:8080");
    QString reason;
    (void)chooseBootFile(BootClient::from(packet.value()), settings, &reason);

    const QByteArray encoded = packet->encode();
    auto again = DhcpPacket::parse(encoded);
    if (!again || !(again.value() == packet.value()) || again->encode() != encoded)
        std::abort(); // the round trip broke: libFuzzer keeps the input as a crash
    return 0;
}
