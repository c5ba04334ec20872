#pragma once

#include <QIcon>
#include <QObject>
#include <QPointer>

namespace spidi::desktop {

class RestClient;

// What the About box shows (docs/desktop.md, "About"): this build's version, the Qt it was
// built with and the one it runs on, the licence and links, and the connected server's
// version as its GET /health reports it (asked for by refreshServer()).
class AppInfo : public QObject
{
    Q_OBJECT
    Q_PROPERTY(QString version READ version CONSTANT)
    Q_PROPERTY(QString qtRuntimeVersion READ qtRuntimeVersion CONSTANT)
    Q_PROPERTY(QString qtBuildVersion READ qtBuildVersion CONSTANT)
    Q_PROPERTY(QString license READ license CONSTANT)
    Q_PROPERTY(QString homepage READ homepage CONSTANT)
    Q_PROPERTY(QString platform READ platform CONSTANT)
    // From the server's GET /health: its version and status ("ok", "degraded"); empty until
    // known. serverError: why it is not known (network, HTTP status), empty otherwise.
    Q_PROPERTY(QString serverVersion READ serverVersion NOTIFY serverChanged)
    Q_PROPERTY(QString serverStatus READ serverStatus NOTIFY serverChanged)
    Q_PROPERTY(QString serverError READ serverError NOTIFY serverChanged)
    Q_PROPERTY(bool serverLoading READ serverLoading NOTIFY serverChanged)

public:
    explicit AppInfo(RestClient *rest = nullptr, QObject *parent = nullptr);

    static QString version();
    static QString qtRuntimeVersion();
    static QString qtBuildVersion();
    static QString license();
    static QString homepage();
    static QString platform();
    // The application icon (the PNGs of desktop/data, built into the binary).
    static QIcon icon();

    QString serverVersion() const { return m_serverVersion; }
    QString serverStatus() const { return m_serverStatus; }
    QString serverError() const { return m_serverError; }
    bool serverLoading() const { return m_serverLoading; }

    // Asks the server (the RestClient's base URL) for GET /health.
    Q_INVOKABLE void refreshServer();

Q_SIGNALS:
    void serverChanged();

private:
    QPointer<RestClient> m_rest;
    QString m_serverVersion;
    QString m_serverStatus;
    QString m_serverError;
    bool m_serverLoading = false;
    quint64 m_request = 0; // the latest request; older answers are dropped
};

} // namespace spidi::desktop
