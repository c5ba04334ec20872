#include "services/app_info.h"

#include "services/rest_client.h"

#include <QSysInfo>
#include <QUrlQuery>
#include <QtGlobal>

namespace spidi::desktop {

AppInfo::AppInfo(RestClient *rest, QObject *parent) : QObject(parent), m_rest(rest) {}

QString AppInfo::version()
{
    return QStringLiteral(SPIDI_VERSION);
}

QString AppInfo::qtRuntimeVersion()
{
    return QString::fromLatin1(qVersion());
}

QString AppInfo::qtBuildVersion()
{
    return QStringLiteral(QT_VERSION_STR);
}

QString AppInfo::license()
{
    // As the AppStream metadata says (desktop/data/org.spidi.Desktop.metainfo.xml.in).
    return QStringLiteral("Proprietary (LicenseRef-proprietary). Qt is used under the LGPL v3.");
}

QString AppInfo::homepage()
{
    return QStringLiteral(SPIDI_HOMEPAGE_URL);
}

QString AppInfo::platform()
{
    return QSysInfo::prettyProductName() + QStringLiteral(" · ") +
           QSysInfo::currentCpuArchitecture();
}

QIcon AppInfo::icon()
{
    QIcon icon;
    for (int size : {16, 32, 48, 64, 128, 256})
        icon.addFile(QStringLiteral(":/spidi/icons/org.spidi.Desktop-%1.png").arg(size),
                     QSize(size, size));
    return icon;
}

void AppInfo::refreshServer()
{
    const quint64 request = ++m_request;
    if (!m_rest || !m_rest->baseUrl().isValid() || m_rest->baseUrl().isEmpty()) {
        m_serverVersion.clear();
        m_serverStatus.clear();
        m_serverError = tr("Not connected to a server.");
        m_serverLoading = false;
        Q_EMIT serverChanged();
        return;
    }
    m_serverLoading = true;
    Q_EMIT serverChanged();
    m_rest->get(QStringLiteral("/health"), QUrlQuery(), [this, request](const RestResult &result) {
        if (request != m_request)
            return;
        m_serverLoading = false;
        const QJsonObject body = result.object();
        // A degraded server answers 503 with the same body: its version still counts.
        m_serverVersion = body.value(QLatin1String("version")).toString();
        m_serverStatus = body.value(QLatin1String("status")).toString();
        m_serverError.clear();
        if (m_serverVersion.isEmpty()) {
            const QString detail = result.problem.value(QStringLiteral("detail")).toString();
            m_serverError =
                result.status == 0
                    ? tr("Network error: %1").arg(detail)
                    : tr("The server did not report a version (HTTP %1).").arg(result.status);
        }
        Q_EMIT serverChanged();
    });
}

} // namespace spidi::desktop
