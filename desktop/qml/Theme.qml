pragma Singleton
import QtQuick
import Spidi.Ui

// Colours and sizes of the console, in a dark and a light palette (Preferences.darkTheme).
QtObject {
    readonly property bool dark: Preferences.darkTheme

    readonly property color background: dark ? "#12151a" : "#f3f4f6"
    readonly property color surface: dark ? "#1c2128" : "#ffffff"
    readonly property color surfaceRaised: dark ? "#252b34" : "#e9ecf0"
    readonly property color border: dark ? "#313844" : "#d5d9df"
    readonly property color text: dark ? "#e6e9ee" : "#1a1d22"
    readonly property color textMuted: dark ? "#98a1ad" : "#5c6570"
    readonly property color accent: dark ? "#4da3ff" : "#1f6fd1"

    // Load thresholds (capacity %): green below loadWarn, amber below loadCritical, red from it.
    readonly property real loadWarn: 70
    readonly property real loadCritical: 90
    readonly property color good: dark ? "#3fb27f" : "#238a5b"
    readonly property color warning: dark ? "#f0b43c" : "#c98a10"
    readonly property color critical: dark ? "#f0605d" : "#cf3b37"
    readonly property color info: dark ? "#6ab0f3" : "#2f78c4"
    readonly property color staleBackground: dark ? "#5a4412" : "#fff0c2"
    readonly property color staleText: dark ? "#ffe3a3" : "#5a4100"

    // Sizes.
    readonly property int spacing: 8
    readonly property int padding: 12
    readonly property int radius: 6
    readonly property int tileWidth: 280
    readonly property int tileHeight: 168
    readonly property int barHeight: 8
    readonly property int fontSmall: 11
    readonly property int fontNormal: 13
    readonly property int fontLarge: 16
    readonly property int fontHuge: 26

    function loadColor(pct: real): color {
        if (pct >= loadCritical)
            return critical
        if (pct >= loadWarn)
            return warning
        return good
    }

    function severityColor(severity: string): color {
        if (severity === "CRITICAL")
            return critical
        if (severity === "WARNING")
            return warning
        return info
    }

    function statusColor(status: string): color {
        if (status === "ACTIVE")
            return good
        if (status === "MAINTENANCE")
            return warning
        return textMuted
    }
}
