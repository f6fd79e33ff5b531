"""Kling's official motion templates, as the sandbox offers them (a fixed, small catalogue)."""

from __future__ import annotations

from dataclasses import dataclass

# Size of the stock clips the sandbox generates for official motions.
WIDTH, HEIGHT, DURATION_MS = 288, 512, 3000
# When the 2026 catalogue says its official assets were created (epoch ms, 2026-01-06).
CREATED_MS = 1767657600000
# Stand-in motion-capture archives (extData), one pair shared by every motion.
BVH_ZIP = "motion-bvh.zip"
BINARY_ZIP = "motion-binary.zip"


@dataclass(frozen=True)
class OfficialMotion:
    work_id: int  # negative, as in Kling's catalogue
    name: str
    tag: str
    color: tuple[int, int, int]

    @property
    def number(self) -> int:
        return -self.work_id - 100000000000000

    @property
    def video(self) -> str:
        return f"official-{self.number}.mp4"

    @property
    def cover(self) -> str:
        return f"official-{self.number}.jpg"


OFFICIAL = (
    OfficialMotion(-100000000000001, "Arm Wave", "basic", (52, 101, 164)),
    OfficialMotion(-100000000000002, "Walk Forward", "basic", (78, 154, 6)),
    OfficialMotion(-100000000000003, "Turn Around", "basic", (196, 160, 0)),
    OfficialMotion(-100000000000004, "Circle Glide", "dance", (117, 80, 123)),
    OfficialMotion(-100000000000005, "Hip Hop Bounce", "dance", (204, 0, 0)),
    OfficialMotion(-100000000000006, "Disco Point", "dance", (206, 92, 0)),
    OfficialMotion(-100000000000007, "Jumping Jacks", "sport", (6, 152, 154)),
    OfficialMotion(-100000000000008, "Boxing Jab", "sport", (85, 87, 83)),
)
_BY_ID = {motion.work_id: motion for motion in OFFICIAL}
_BY_FILE = {name: motion for motion in OFFICIAL for name in (motion.video, motion.cover)}


def official(work_id: int) -> OfficialMotion | None:
    return _BY_ID.get(work_id)


def official_for_file(name: str) -> OfficialMotion | None:
    return _BY_FILE.get(name)
