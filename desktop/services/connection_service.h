#pragma once

#include "jwt_claims.h"
#include "models/alert_inbox_model.h"
#include "models/dashboard_totals.h"
#include "models/room_list_model.h"
#include "reconnect_backoff.h"
#include "services/rest_client.h"

#include <QDateTime>
#include <QHash>
#include <QJsonObject>
#include <QObject>
#include <QPointer>
#include <QTimer>
#include <QUrl>

class QWebSocket;

namespace spidi::desktop {

// The console's connection to one Spidi server (docs/desktop.md): server URL and token
// (remembered in QSettings("Spidi", "spidi-desktop"), the token only when asked to), the
// token's claims, the WebSocket subscribed to `rooms` and `alerts` with reconnects (exponential
// backoff with jitter), and the REST client. It owns the models it keeps current: each
// (re)connection loads the room list and the open alert events over REST and applies the
// topics' snapshots and updates on top, incrementally.
class ConnectionService : public QObject
{
    Q_OBJECT
    Q_PROPERTY(QString serverUrl READ serverUrl NOTIFY configurationChanged)
    Q_PROPERTY(QUrl webSocketUrl READ webSocketUrl NOTIFY configurationChanged)
    Q_PROPERTY(bool rememberToken READ rememberToken NOTIFY configurationChanged)
    // The remembered token, for the connect page (empty unless "remember" was ticked).
    Q_PROPERTY(QString rememberedToken READ rememberedToken NOTIFY configurationChanged)
    // A server URL and a token are in use: the dashboard shows, the connection runs.
    Q_PROPERTY(bool configured READ configured NOTIFY configurationChanged)
    Q_PROPERTY(bool canAdmin READ canAdmin NOTIFY configurationChanged)
    Q_PROPERTY(bool canRead READ canRead NOTIFY configurationChanged)
    Q_PROPERTY(QString userId READ userId NOTIFY configurationChanged)
    Q_PROPERTY(QString tenantId READ tenantId NOTIFY configurationChanged)
    Q_PROPERTY(QDateTime expiresAt READ expiresAt NOTIFY configurationChanged)

    Q_PROPERTY(State state READ state NOTIFY stateChanged)
    // True while not connected: what is shown may be out of date.
    Q_PROPERTY(bool stale READ stale NOTIFY stateChanged)
    // When the last message arrived from the server (invalid before the first).
    Q_PROPERTY(QDateTime lastUpdate READ lastUpdate NOTIFY lastUpdateChanged)
    // The room list has been loaded since the connection was configured.
    Q_PROPERTY(bool loaded READ loaded NOTIFY loadedChanged)
    // What went wrong last, in words (problem+json detail, close reason); empty when fine.
    Q_PROPERTY(QString lastError READ lastError NOTIFY lastErrorChanged)
    // The server refused the token (401): no reconnect until a new token is configured.
    Q_PROPERTY(bool tokenRefused READ tokenRefused NOTIFY lastErrorChanged)

    Q_PROPERTY(spidi::desktop::RestClient *rest READ rest CONSTANT)
    Q_PROPERTY(spidi::desktop::RoomListModel *rooms READ rooms CONSTANT)
    Q_PROPERTY(spidi::desktop::AlertInboxModel *alerts READ alerts CONSTANT)
    Q_PROPERTY(spidi::desktop::DashboardTotals *totals READ totals CONSTANT)

public:
    enum State { Disconnected, Connecting, Connected, Reconnecting };
    Q_ENUM(State)

    explicit ConnectionService(QObject *parent = nullptr);
    ~ConnectionService() override;

    QString serverUrl() const { return m_serverUrl.toString(); }
    QUrl webSocketUrl() const { return webSocketUrlFor(m_serverUrl); }
    bool rememberToken() const { return m_rememberToken; }
    QString rememberedToken() const;
    bool configured() const { return m_configured; }
    bool canAdmin() const { return m_claims.canAdmin(); }
    bool canRead() const { return m_claims.canRead(); }
    QString userId() const { return m_claims.subject; }
    QString tenantId() const { return m_claims.tenant; }
    QDateTime expiresAt() const { return m_claims.expiresAt; }
    State state() const { return m_state; }
    bool stale() const { return m_state != Connected; }
    QDateTime lastUpdate() const { return m_lastUpdate; }
    bool loaded() const { return m_loaded; }
    QString lastError() const { return m_lastError; }
    bool tokenRefused() const { return m_tokenRefused; }

    RestClient *rest() const { return m_rest; }
    RoomListModel *rooms() const { return m_rooms; }
    AlertInboxModel *alerts() const { return m_alerts; }
    DashboardTotals *totals() const { return m_totals; }

    // At start-up: the command line's --server and --token (either may be empty) override the
    // remembered ones without being remembered; connects when both are then known.
    Q_INVOKABLE void start(const QString &serverOverride, const QString &tokenOverride);
    // From the connect page: checks the URL and the token, remembers the URL (and the token
    // when `remember`), and connects. False with lastError set when either is unusable.
    Q_INVOKABLE bool configure(const QString &serverUrl, const QString &token, bool remember);
    // A token file's content (trimmed), or an empty string with lastError set.
    Q_INVOKABLE QString readTokenFile(const QUrl &file);
    // Back to the connect page: disconnects, keeps what is remembered.
    Q_INVOKABLE void editConnection();
    // Reconnects at once instead of waiting for the backoff.
    Q_INVOKABLE void reconnectNow();
    // Extra topics (room/CODE/roster, room/CODE/metrics) for the room page: subscribed now when
    // connected and again after every reconnect, until unsubscribed as often as subscribed.
    // Their messages arrive through messageReceived.
    Q_INVOKABLE void subscribeTopic(const QString &topic);
    Q_INVOKABLE void unsubscribeTopic(const QString &topic);
    QStringList extraTopics() const { return m_extraTopics.keys(); }
    void disconnectFromServer();

    // http(s)://host:port[/prefix] → ws(s)://host:port[/prefix]/ws/presence.
    static QUrl webSocketUrlFor(const QUrl &serverUrl);
    // A usable http(s) server URL, or an invalid QUrl with `error` set.
    static QUrl parseServerUrl(const QString &text, QString *error);
    // A close code or socket error in words.
    static QString describeClose(int closeCode, const QString &reason);

    // Reconnect delays (tests shorten them).
    void setBackoff(const ReconnectBackoff::Config &config) { m_backoff.setConfig(config); }

Q_SIGNALS:
    void configurationChanged();
    void stateChanged();
    void lastUpdateChanged();
    void loadedChanged();
    void lastErrorChanged();
    // Every message from the server, after the built-in routing (type as in docs/protocol.md).
    void messageReceived(const QString &type, const QJsonObject &message);

private:
    void apply(const QUrl &server, const QByteArray &token, const JwtClaims &claims);
    void openSocket();
    void onConnected();
    void onSocketGone(QWebSocket *socket, const QString &errorText, bool socketError);
    void onText(const QString &text);
    void handleTokenRefused(const QString &detail);
    void loadSnapshot();
    void scheduleReconnect();
    void setState(State state);
    void setLastError(const QString &error, bool tokenRefused = false);
    void setLoaded(bool loaded);
    void touch();
    QWebSocket *detachSocket();
    void send(const QJsonObject &message);

    RestClient *m_rest;
    RoomListModel *m_rooms;
    AlertInboxModel *m_alerts;
    DashboardTotals *m_totals;

    QUrl m_serverUrl;
    QByteArray m_token;
    JwtClaims m_claims;
    bool m_rememberToken = false;
    bool m_configured = false;

    QPointer<QWebSocket> m_socket;
    State m_state = Disconnected;
    ReconnectBackoff m_backoff;
    QTimer m_retryTimer;
    QTimer m_pingTimer;
    qint64 m_lastRxMs = 0;
    QDateTime m_lastUpdate;
    qint64 m_lastUpdateEmittedMs = 0;
    bool m_loaded = false;
    QString m_lastError;
    bool m_tokenRefused = false;
    quint64 m_generation = 0; // bumped whenever the server or token changes
    qint64 m_nextSeq = 1;
    QHash<QString, int> m_extraTopics; // topic → subscribers
};

} // namespace spidi::desktop
